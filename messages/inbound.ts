import type { MessageMedia, MessageStatus } from '../db/schema/index.ts';

/** One inbound message, normalized: the same shape from every provider. */
export type InboundMessage = {
  channelId: number;
  /** Sender address, normalized (E.164 for phone numbers). */
  from: string;
  /** Our address the customer wrote to (DID / port / number), used to pick the campaign. */
  to: string | null;
  text: string;
  media: MessageMedia[];
  providerMessageId: string;
  timestamp: Date;
  profileName?: string;
  metadata?: Record<string, unknown>;
};

/** A delivery report from the provider about a message we sent. */
export type StatusReport = {
  providerMessageId: string;
  status: Extract<MessageStatus, 'sent' | 'delivered' | 'read' | 'failed'>;
  errorCode?: string;
  errorMessage?: string;
  at: Date;
};
