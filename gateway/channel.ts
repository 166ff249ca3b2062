import type { channels, ChannelType, MessageMedia, MessageStatus } from '../db/schema/index.ts';
import type { LiveEvent } from '../server/realtime.ts';

export type ChannelRow = typeof channels.$inferSelect;

/** A provider's HTTP request as the webhook route received it; `rawBody` keeps the exact bytes for signatures. */
export type WebhookRequest = {
  /** The public URL the provider called (PUBLIC_URL + path + query), for signature schemes that sign it. */
  url: string;
  method: string;
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  rawBody: Buffer;
  /** The body parsed by content type (JSON or form), or undefined. */
  body: unknown;
};

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

export type OutboundMessage = {
  messageId: number;
  to: string;
  text: string;
  media: MessageMedia[];
};

/** A provider's refusal is data (the message becomes `failed`), not an exception; `retryable` asks for another try. */
export type SendResult =
  | { ok: true; providerMessageId: string }
  | { ok: false; errorCode: string; errorMessage: string; retryable: boolean };

/** What a webhook yields once verified: messages to store and reports to apply. */
export type WebhookContent = { messages: InboundMessage[]; statuses: StatusReport[] };

/** Services a channel adapter may use; kept small so adapters stay testable. */
export type ChannelDeps = {
  publish(events: readonly LiveEvent[]): void;
  /** The public URL providers call for this channel's webhooks (null without PUBLIC_URL). */
  webhookUrl(channelId: number): string | null;
};

/** The contract every provider implements, in its own folder under `gateway/`. */
export type Channel = {
  readonly type: ChannelType;
  /** True when the request really comes from the provider (signature, token, session). */
  verify(request: WebhookRequest): boolean | Promise<boolean>;
  /** Inbound messages and delivery reports carried by a verified request. */
  normalize(request: WebhookRequest): WebhookContent;
  send(message: OutboundMessage): Promise<SendResult>;
  /** A provider's GET check of the webhook URL (Meta's hub.challenge); null when the request is not one. */
  handshake?(request: WebhookRequest): { status: number; body: string } | null;
  /** Session channels (Baileys, modem, SMPP…) connect and disconnect here. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
};

export type ChannelFactory = (row: ChannelRow, deps: ChannelDeps) => Channel;

/** Raised by `normalize` for a verified request whose content is unusable; answered 400 with its message. */
export class InvalidPayloadError extends Error {
  override name = 'InvalidPayloadError';
  readonly details: unknown;
  constructor(message: string, details?: unknown) {
    super(message);
    this.details = details;
  }
}
