/**
 * Wire types shared by the server's presenters and the console UI (the one place both import).
 *
 * REST (all JSON, cookie `omnichat_session`; errors are `{ error: { code, message, details } }`):
 *   POST /api/auth/login            { username, password } -> Me           (sets the session cookie)
 *   POST /api/auth/logout           -> 204
 *   GET  /api/me                    -> Me
 *   GET  /api/conversations?scope=mine|all&q=&status=open|closed  -> { conversations: ConversationSummary[] }
 *        mine = assigned to me (open: bot/queued/assigned; closed: the ones I had); all = supervisors/admins,
 *        every conversation of the campaigns in their security groups.
 *   GET  /api/conversations/:id     -> ConversationDetail
 *   POST /api/conversations/:id/messages  { body, content? } -> MessageView  (agent reply, assignee only;
 *                                   content: a WhatsApp template, reply buttons or a list — OutboundContent)
 *   POST /api/conversations/:id/close     -> ConversationSummary
 *   POST /api/conversations/:id/take      -> ConversationSummary  (from the bot or the queue: agents of the
 *                                   campaign within its max interactions, supervisors; 409 when refused)
 *   POST /api/conversations/:id/return-to-bot  { node? } -> ConversationSummary  (the assignee or a supervisor;
 *                                   the bot starts its flow again, at `node` when given)
 *   PUT  /api/presence              { state: 'available'|'break'|'offline', breakName? } -> Presence
 *
 * Channels (admins only; see console/api/channel-routes.ts):
 *   GET   /api/channels             -> { channels: ChannelView[] }
 *   GET   /api/channels/:id         -> ChannelView
 *   POST  /api/channels             ChannelInput -> 201 ChannelView   (400 validation_failed: details name each path)
 *   PATCH /api/channels/:id         Partial<ChannelInput without type> -> ChannelView (secrets named are replaced)
 *   POST  /api/channels/:id/test-send  { to, text } -> TestSendResult (200 sent, 202 still queued, 502 failed)
 *
 * Bot flows (see console/api/bot-flow-routes.ts; supervisors read and play, admins publish):
 *   GET  /api/bot-flows             -> { flows: BotFlowSummary[] }   (the latest version of each name)
 *   GET  /api/bot-flows/:id         -> BotFlowView
 *   POST /api/bot-flows             { name, definition, campaignIds? } -> 201 BotFlowView  (a new version; campaigns
 *                                   on an older version of the name move to it; 400 invalid_flow: details
 *                                   [{ path: 'nodes.menu.options.2.next', message }])
 *   POST /api/bot-flows/dry-run     { flowId | definition, messages[], contact?, channel?, campaign?, now?, http? }
 *                                   -> DryRunResult (nothing is sent or stored)
 *   PUT  /api/campaigns/:id/bot-flow { flowId: number | null } -> 204
 *
 * Socket.io (namespace `/`, same cookie): the server pushes
 *   'conversation.upserted'  ConversationSummary   (new in my inbox, status change, last message;
 *                            also sent to a previous assignee, so a conversation leaving them leaves their inbox)
 *   'message.created'        MessageView
 *   'message.updated'        MessageView           (delivery status moved on)
 *   'presence.updated'       Presence              (my own presence, e.g. changed by a supervisor)
 *   'channel.session'        ChannelSessionEvent   (admins: a session channel's state changed)
 *
 * Simulator (public phone page, namespace `/simulator`):
 *   GET  /simulator/api/channels    -> SimulatorChannel[] (enabled simulator channels)
 *   POST /simulator/api/phones      { channelId?, number } -> SimulatorPhone (token binds channel+number)
 *   POST /webhooks/:channelId       header `x-simulator-token`, { type: 'message', id, text }
 *                                   or { type: 'status', providerMessageId, status: 'delivered'|'read' }
 *   socket auth { token } -> pushes 'message' SimulatorMessage to that phone, and 'typing' (no payload)
 *   while the bot is about to answer (shown until the next message, or for a few seconds).
 */

import type { ChannelType } from '../db/schema/channels.ts';
import type { OutboundContent } from '../db/schema/conversations.ts';
import type { Outcome as DryRunOutcome, Reply as DryRunReply } from '../bots/flow-engine.ts';

export type { ChannelType, DryRunOutcome, DryRunReply, OutboundContent };
export type Role = 'agent' | 'supervisor' | 'admin';
export type PresenceState = 'offline' | 'available' | 'break';
export type ConversationStatus = 'bot' | 'queued' | 'assigned' | 'closed';
export type MessageStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
export type AuthorType = 'contact' | 'bot' | 'agent' | 'system';

export type Presence = { state: PresenceState; breakName: string | null; since: string };

export type Me = {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  presence: Presence;
  breaks: string[];
};

export type ConversationSummary = {
  id: number;
  status: ConversationStatus;
  closeReason: string | null;
  campaign: { id: number; name: string } | null;
  channel: { id: number; name: string; type: string };
  customer: { address: string; name: string | null };
  assignedTo: { id: number; displayName: string } | null;
  lastMessage: { body: string; authorType: AuthorType; at: string } | null;
  openedAt: string;
  queuedAt: string | null;
  assignedAt: string | null;
  closedAt: string | null;
  lastMessageAt: string;
};

export type MessageView = {
  id: number;
  conversationId: number;
  direction: 'inbound' | 'outbound';
  /** `contact`, `bot`, `agent:<id>` or `system`, as in the transcript. */
  author: string;
  authorType: AuthorType;
  authorName: string | null;
  botNode: string | null;
  body: string;
  /** A template's name, or the buttons / list offered with the body. */
  content: OutboundContent | null;
  status: MessageStatus;
  error: { code: string | null; message: string | null } | null;
  createdAt: string;
};

/** What the bot learnt before a handoff: the agent sees it beside the transcript. */
export type BotSummary = {
  flow: { id: number; name: string; version: number } | null;
  /** The menu or question the bot is waiting on, while the conversation is the bot's. */
  waitingAt: string | null;
  variables: Record<string, string | number | boolean | null>;
};

export type ConversationDetail = ConversationSummary & {
  messages: MessageView[];
  handoffNote: string | null;
  priority: number;
  bot: BotSummary;
};

export type BotFlowSummary = { id: number; name: string; version: number; createdAt: string; campaigns: { id: number; name: string }[] };
export type BotFlowView = BotFlowSummary & { definition: unknown };

export type DryRunResult = {
  turns: { message: string; replies: DryRunReply[]; path: string[]; outcome: DryRunOutcome }[];
  notPlayed: string[];
  final: { at: string | null; tries: number; vars: Record<string, unknown>; outcome: DryRunOutcome };
};

export type SimulatorChannel = { id: number; name: string };

export type SimulatorPhone = { channelId: number; channelName: string; number: string; token: string };

export type SimulatorMessage = { id: string; text: string; at: string };

export type ApiError = { error: { code: string; message: string; details?: unknown } };

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

/** One field the server refused (`settings.accountSid`, `secrets.authToken`, `name`…). */
export type FieldIssue = { path: string; message: string };
