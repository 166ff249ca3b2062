import type { channels, ChannelType, MessageMedia, OutboundContent } from '../db/schema/index.ts';
import type { LiveEvent } from '../kernel/realtime.ts';
import type { InboundMessage, StatusReport } from '../messages/inbound.ts';
import type { Logger } from '../kernel/logger.ts';
import { DomainError } from '../kernel/errors.ts';

export type ChannelRow = typeof channels.$inferSelect;

/** What every adapter normalizes a provider's message and delivery report to (defined with the messages they become). */
export type { InboundMessage, StatusReport };

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

export type OutboundMessage = {
  messageId: number;
  to: string;
  /** The text to send: the body, with a list's or buttons' options numbered when there are any. */
  text: string;
  /** Rich content for channels that can show it (the Cloud API), with the body on its own. */
  rich?: { body: string; content: OutboundContent };
  media: MessageMedia[];
  /**
   * The dialer's dial string when a broadcast sends it (the seed's DID-Ports: `0-3` rotates over
   * ports 0..3 of a Dinstar, `dongle1` picks a modem); absent, the channel's own setting applies.
   */
  dialString?: string;
};

/** A provider's refusal is data (the message becomes `failed`), not an exception; `retryable` asks for another try. */
export type SendResult = { ok: true; providerMessageId: string } | { ok: false; errorCode: string; errorMessage: string; retryable: boolean };

/** What a webhook yields once verified: messages to store and reports to apply. */
export type WebhookContent = { messages: InboundMessage[]; statuses: StatusReport[] };

/** What the console shows of a live session: pairing QR, connected, or why it is down. */
export type SessionState =
  | { state: 'connecting'; detail?: string }
  | { state: 'qr'; qr: string }
  | { state: 'open'; detail?: string }
  | { state: 'error'; detail: string }
  | { state: 'logged_out'; detail?: string };

/** A session channel's own durable key-value store (Baileys creds and keys), in `channel_auth_state`. */
export type AuthStateStore = {
  get(kind: string, keys: readonly string[]): Promise<Map<string, unknown>>;
  /** Writes (value) and deletes (null) in one transaction. */
  set(entries: readonly { kind: string; key: string; value: unknown }[]): Promise<void>;
  clear(): Promise<void>;
};

/** Services a channel adapter may use; kept small so adapters stay testable. */
export type ChannelDeps = {
  publish(events: readonly LiveEvent[]): void;
  /** The public URL providers call for this channel's webhooks (null without PUBLIC_URL). */
  webhookUrl(channelId: number): string | null;
  /**
   * For content that arrives without a webhook (a modem line, an SMPP bind, a WhatsApp Web socket,
   * a polled inbox): stores the messages once and applies the reports, exactly as the webhook route
   * does. Resolves after commit, so a session may acknowledge or delete at the provider only then.
   */
  receive(channelId: number, content: WebhookContent): Promise<{ stored: number; duplicates: number }>;
  /** Publishes the live state of this channel's session (console: QR to scan, connected, error). */
  reportState(channelId: number, state: SessionState): Promise<void>;
  authState(channelId: number): AuthStateStore;
  logger: Logger;
  /** The system Chromium (whatsapp-web.js); browsers are never downloaded at install. */
  chromiumPath: string;
};

/**
 * A live connection (a serial line, an SMPP bind, a WhatsApp Web socket, an inbox poller) that
 * exactly one node holds at a time, under a lease in `channel_leases`.
 */
export type ChannelSession = {
  /** Connects; resolves once started (not necessarily connected: reconnecting is the session's job). */
  start(): Promise<void>;
  /** Disconnects and releases every resource; the node may start the channel again later. */
  stop(): Promise<void>;
  /** Sends need the live connection, so `send` runs only on the node holding the session. */
  carriesSends: boolean;
  /** Sends the session takes at once (an SMPP window); default 1, one after the other. */
  sendConcurrency?: number;
};

/** The contract every provider implements, in its own folder under `gateway/`. */
export type Channel = {
  readonly type: ChannelType;
  /** True when the request really comes from the provider (signature, token, session). */
  verify(request: WebhookRequest): boolean | Promise<boolean>;
  /** Inbound messages and delivery reports carried by a verified request. */
  normalize(request: WebhookRequest): WebhookContent;
  send(message: OutboundMessage): Promise<SendResult>;
  /** Shows the customer "typing…" before a reply; best effort (a failure never stops the send), absent where the provider has none. */
  typing?(to: string, context: { replyToProviderMessageId?: string }): Promise<void>;
  /** A provider's GET check of the webhook URL (Meta's hub.challenge); null when the request is not one. */
  handshake?(request: WebhookRequest): { status: number; body: string } | null;
  /** Channels with a live connection (Baileys, modem, SMPP, a poller) hold it here. */
  session?: ChannelSession;
  /** Old HTTP gateways deliver with GET and a query string: such a GET is a webhook like a POST. */
  acceptsGetWebhooks?: boolean;
  /** What the provider expects back from a webhook (`OK`, `ACK`…); absent, JSON `{ ok: true, … }`. */
  webhookAnswer?: { contentType: string; body: string };
};

export type ChannelFactory = (row: ChannelRow, deps: ChannelDeps) => Channel;

/** Raised by `normalize` for a verified request whose content is unusable; answered 400 with its message. */
export class InvalidPayloadError extends DomainError {
  override name = 'InvalidPayloadError';
  constructor(message: string, details?: unknown) {
    super('invalid', 'bad_request', message, details);
  }
}
