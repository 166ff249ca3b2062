import type { MessageStatus } from './conversations.ts';

/** Every kind of channel the gateway speaks. */
export const CHANNEL_TYPES = [
  'simulator',
  'twilio_sms',
  'twilio_whatsapp',
  'whatsapp_cloud',
  'dinstar',
  'gsm_modem',
  'smpp',
  'baileys',
  'wwebjs',
  'http_generic',
] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** A session channel's live state: `stopped` when no node holds it, `qr` while it waits to be paired. */
export type ChannelSessionState = 'stopped' | 'connecting' | 'qr' | 'open' | 'error' | 'logged_out';

export type ChannelSession = {
  state: ChannelSessionState;
  qr: string | null;
  /** The pairing QR as a `data:image/png` URL, while `state` is `qr`. */
  qrImage: string | null;
  /** Why it is down, or who it is connected as. */
  detail: string | null;
  node: string | null;
  updatedAt: string | null;
};

/** A channel as an admin sees it: settings, which secrets are set (never their values), where providers call. */
export type ChannelView = {
  id: number;
  type: ChannelType;
  name: string;
  address: string | null;
  defaultCountry: string;
  enabled: boolean;
  sendsPerSecond: number | null;
  /** The channel's own pace, else its type's default; null: unpaced. */
  effectiveSendsPerSecond: number | null;
  /** Null for channels without a session (HTTP providers, the simulator). */
  session: ChannelSession | null;
  settings: Record<string, unknown>;
  secretsSet: string[];
  /** False for channels that connect out (WhatsApp Web, modems, SMPP): they have no webhook. */
  receivesWebhooks: boolean;
  /** Null until PUBLIC_URL is configured, and for channels without a webhook. */
  webhookUrl: string | null;
  createdAt: string;
  updatedAt: string;
};

/** What POST /api/channels takes; PATCH takes the same fields but `type`, each optional. */
export type ChannelInput = {
  type: ChannelType;
  name: string;
  address?: string | null;
  defaultCountry?: string;
  enabled?: boolean;
  sendsPerSecond?: number | null;
  settings?: Record<string, unknown>;
  secrets?: Record<string, string>;
};

/** Pushed to admins when a session channel's state changes; the console refetches the channel. */
export type ChannelSessionEvent = {
  channelId: number;
  state: Exclude<ChannelSessionState, 'stopped'>;
  qr: string | null;
  detail: string | null;
  node: string;
  updatedAt: string;
};

/** The outcome of a test send: sent (with the provider's id), failed (with its error), or still queued. */
export type TestSendResult = {
  messageId: number;
  status: MessageStatus;
  providerMessageId: string | null;
  error: { code: string | null; message: string | null } | null;
};
