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
 * Channels (admins only; see api/console/channel-routes.ts):
 *   GET   /api/channels             -> { channels: ChannelView[] }
 *   GET   /api/channels/:id         -> ChannelView
 *   POST  /api/channels             ChannelInput -> 201 ChannelView   (400 validation_failed: details name each path)
 *   PATCH /api/channels/:id         Partial<ChannelInput without type> -> ChannelView (secrets named are replaced)
 *   POST  /api/channels/:id/test-send  { to, text } -> TestSendResult (200 sent, 202 still queued, 502 failed)
 *
 * Bot flows (see api/console/bot-flow-routes.ts; supervisors read and play, admins publish):
 *   GET  /api/bot-flows             -> { flows: BotFlowSummary[] }   (the latest version of each name)
 *   GET  /api/bot-flows/:id         -> BotFlowView
 *   POST /api/bot-flows             { name, definition, campaignIds? } -> 201 BotFlowView  (a new version; campaigns
 *                                   on an older version of the name move to it; 400 invalid_flow: details
 *                                   [{ path: 'nodes.menu.options.2.next', message }])
 *   POST /api/bot-flows/dry-run     { flowId | definition, messages[], contact?, channel?, campaign?, now?, http? }
 *                                   -> DryRunResult (nothing is sent or stored)
 *   PUT  /api/campaigns/:id/bot-flow { flowId: number | null } -> 204
 *
 * Campaigns (see api/console/campaign-routes.ts): admins all; supervisors the campaigns of their security
 * groups (and those with none); agents read the campaigns they are members of (canned responses).
 *   GET    /api/campaigns              -> { campaigns: CampaignView[] }
 *   GET    /api/campaigns/:id          -> CampaignView
 *   POST   /api/campaigns              CampaignInput -> 201 CampaignView (admins; 400 validation_failed, 409 name taken)
 *   PATCH  /api/campaigns/:id          Partial<CampaignInput> -> CampaignView (admins, supervisors of its group)
 *   DELETE /api/campaigns/:id          -> 204 (admins; 409 when conversations refer to it: disable it instead)
 *   GET    /api/campaigns/:id/members  -> { members: CampaignMember[] }  (in member order)
 *   PUT    /api/campaigns/:id/members  { userIds } -> { members }  (the members, in this order)
 *   POST   /api/campaign-members       { campaignIds, userIds, action: 'add'|'remove' } -> { changed }
 *                                      (the seed's Members screen: several agents to several campaigns at once)
 *   GET    /api/agents                 -> { agents: AgentView[] }  (supervisors, admins)
 *   GET    /api/schedules              -> { schedules: ScheduleView[] };  POST/PUT /api/schedules[/:id] ScheduleInput (admins)
 *   GET    /api/security-groups        -> { securityGroups: { id, name }[] }
 *
 * Routing (see api/console/routing-routes.ts):
 *   GET  /api/monitor                  -> MonitorSnapshot (supervisors, admins: campaigns of their groups)
 *   GET  /api/offers                   -> { offers: Offer[] }   (an agent's offered conversations, offer-to-all)
 *   POST /api/offers/:conversationId/accept -> ConversationSummary (409 when another agent took it first)
 *   POST /api/conversations/:id/transfer { toUserId } | { toCampaignId }, note? -> ConversationSummary
 *   POST /api/conversations/:id/spy    -> ConversationDetail (supervisors: read-only live view, audited)
 *   PUT  /api/agents/:id/presence      { state: 'break', breakName } | { state: 'available' } -> Presence (supervisor pause)
 *   POST /api/agents/:id/logout        -> 204 (supervisor: ends every session, agent offline, chats back to the queue)
 *   GET  /api/agent-chat               -> { threads: AgentChatThread[] }   (mine, latest first, with unread counts)
 *   GET  /api/agent-chat/:userId       -> { messages: AgentChatMessage[] }  (my thread with that user; marks it read)
 *   POST /api/agent-chat/:userId       { body, conversationId? } -> 201 AgentChatMessage
 *
 * Dialers (see api/console/dialer-routes.ts; supervisors and admins of the dialer's security group):
 *   GET    /api/dialers                 -> { dialers: DialerView[] }
 *   GET    /api/dialers/:id             -> DialerView
 *   POST   /api/dialers                 DialerInput -> 201 DialerView (admins; 400 validation_failed, 409 name taken)
 *   PATCH  /api/dialers/:id             Partial<DialerInput> -> DialerView (admins)
 *   DELETE /api/dialers/:id             -> 204 (admins; 409 while spool rows refer to it)
 *   POST   /api/dialers/:id/start       -> DialerView (409 not_enabled: a dialer starts only when enabled)
 *   POST   /api/dialers/:id/stop        -> DialerView (the sends in hand finish; nothing more is sent)
 *   POST   /api/dialers/:id/cancel      { campaignId? } -> { cancelled }  (unprocessed rows become CANCELLED)
 *   POST   /api/dialers/:id/messages    { destination, message, campaignId } -> 201 SpoolRowView (single send)
 *   GET    /api/dialers/:id/spool?state=&campaignId=&destination=&beforeId=&limit= -> { rows: SpoolRowView[] }
 *   GET    /api/dialer-monitor          -> { dialers: DialerMonitor[] }
 *   POST   /api/dialers/:id/imports?fileName=&progressKey=   body: the CSV (text/csv, streamed)
 *                                       -> 201 SpoolImportView | 400 invalid_file { details: { issues: FileIssue[] } }
 *   GET    /api/dialers/:id/imports     -> { imports: SpoolImportView[] }
 * DNCR (supervisors, admins):
 *   GET    /api/dncr?q=&campaignId=&limit=&beforeId= -> { entries: DncrEntry[] }  (campaignId=global: the global list)
 *   POST   /api/dncr                    { number, campaignId: number | null } -> 201 DncrEntry (200 when already there)
 *   DELETE /api/dncr/:id                -> 204
 *   POST   /api/dncr/imports?fileName=  body: `number;campaign;` lines -> 201 { added, alreadyListed } | 400 invalid_file
 * API keys (admins): GET /api/api-keys -> { apiKeys: ApiKeyView[] };
 *   POST /api/api-keys ApiKeyInput -> 201 { apiKey: ApiKeyView, key } (the key is shown this once);
 *   POST /api/api-keys/:id/revoke -> ApiKeyView
 * Web service (an API key in `X-API-Key`, `Authorization: Bearer`, or the `apikey` field for old integrations):
 *   POST /Integra/resources/SMS/SendSMS  form destination, message, campaign, agent -> text answer (legacy)
 *   GET  /Integra/resources/SMS/SendSMS/destination=…&message=…&api=dongle&device=dongle0 (legacy)
 *   POST /api/v1/messages           { destination, message, campaign | campaignId, dialerId? }, header
 *                                   Idempotency-Key -> 202 ApiMessageView;  GET /api/v1/messages/:id -> ApiMessageView
 *
 * Socket.io (namespace `/`, same cookie): the server pushes
 *   'conversation.upserted'  ConversationSummary   (new in my inbox, status change, last message;
 *                            also sent to a previous assignee, so a conversation leaving them leaves their inbox)
 *   'message.created'        MessageView
 *   'message.updated'        MessageView           (delivery status moved on)
 *   'presence.updated'       Presence              (my own presence, e.g. changed by a supervisor)
 *   'channel.session'        ChannelSessionEvent   (admins: a session channel's state changed)
 *   'monitor.campaign'       CampaignMonitor       (supervisors: a campaign's live figures, within a second of a change)
 *   'monitor.agents'         AgentMonitor[]        (supervisors: the agents of a campaign whose figures changed)
 *   'offer.created'          Offer                 (an agent: a conversation offered to every available member)
 *   'offer.withdrawn'        { conversationId }    (someone else took it, or it left the queue)
 *   'conversation.flagged'   { conversationId, flag: 'chat_time' } (the chat passed the campaign's chat time)
 *   'agent-chat.message'     AgentChatMessage      (internal chat between supervisor and agent)
 *   'agent.presence'         Presence & { userId } (supervisors: an agent of their campaigns changed state)
 *   'dialer.monitor'         DialerMonitor         (supervisors: a dialer's figures, about every second while it moves)
 *   'dialer.import.progress' ImportProgress        (the uploader: rows read so far of the file being imported)
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
  /** When the chat passed its campaign's chat time (flagged to the agent and supervisors); null otherwise. */
  chatTimeExceededAt: string | null;
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

export type CampaignStrategy = 'round_robin' | 'longest_idle' | 'fewest_active' | 'random' | 'linear' | 'offer_all';

/** What POST /api/campaigns takes (PATCH: any subset). Thresholds are in seconds. */
export type CampaignInput = {
  name: string;
  /** DID-Ports: codes (numbers, ids) the provider uses to identify the campaign. */
  didPorts: string[];
  channelIds: number[];
  strategy: CampaignStrategy;
  scheduleId: number | null;
  greetingMessage: string | null;
  outOfTimeMessage: string | null;
  queueFullMessage: string | null;
  serviceLevelSeconds: number;
  churnSeconds: number;
  chatTimeSeconds: number;
  /** ACD: the most customers waiting for an agent. */
  acdMaxWaiting: number;
  /** At the ACD limit: close with the queue-full message, or keep the customer with the bot. */
  acdFullAction: 'close' | 'stay_with_bot';
  maxInteractionsPerAgent: number;
  /** Seconds an agent has to answer an assigned conversation before it goes back to the queue; null = no limit. */
  agentAnswerTimeoutSeconds: number | null;
  /** A returning customer goes to their last agent when that agent can take them. */
  stickyAgent: boolean;
  enabled: boolean;
  securityGroupId: number | null;
  botFlowId: number | null;
  /** The seed's pre-set responses, offered to agents in the reply box. */
  cannedResponses: { shortcut: string; body: string }[];
  optOutKeywords: string[];
  optInKeywords: string[];
  helpKeywords: string[];
  optOutScope: 'campaign' | 'global';
  optOutMessage: string;
  optInMessage: string;
  helpMessage: string;
};

export type CampaignView = CampaignInput & {
  id: number;
  channels: { id: number; name: string; type: string }[];
  schedule: { id: number; name: string; timeZone: string } | null;
  botFlow: { id: number; name: string; version: number } | null;
  securityGroup: { id: number; name: string } | null;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
};

export type CampaignMember = { userId: number; username: string; displayName: string; position: number; presence: Presence };

export type AgentView = {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  enabled: boolean;
  securityGroupIds: number[];
  campaignIds: number[];
  presence: Presence;
};

export type ScheduleInput = {
  name: string;
  timeZone: string;
  /** Open intervals, minutes since local midnight, end exclusive; dayOfWeek 0 = Sunday. */
  weekly: { dayOfWeek: number; startMinute: number; endMinute: number }[];
  /** A dated exception: closed all day (no minutes) or open only in the given interval. */
  exceptions: { date: string; startMinute: number | null; endMinute: number | null; note: string | null }[];
};
export type ScheduleView = ScheduleInput & { id: number };

/** A conversation offered to an agent (offer-to-all): the first to accept takes it. */
export type Offer = {
  conversationId: number;
  campaign: { id: number; name: string };
  customer: { address: string; name: string | null };
  channel: { id: number; name: string; type: string };
  queuedAt: string;
  offeredAt: string;
  lastMessage: string | null;
};

/** An agent as a supervisor watches them ("busy" = available at capacity; "busy on break" = on break with chats). */
export type AgentMonitor = {
  userId: number;
  displayName: string;
  state: PresenceState;
  breakName: string | null;
  /** offline, free, busy, free on break, busy on break: the seed's monitor states. */
  status: 'offline' | 'free' | 'busy' | 'free_on_break' | 'busy_on_break';
  since: string;
  /** Channel types of the agent's active conversations (sms, whatsapp…), each once. */
  channels: string[];
  active: number;
  completedToday: number;
  campaignIds: number[];
};

/** One campaign's live figures; every figure is computed from the database. Times in seconds. */
export type CampaignMonitor = {
  campaignId: number;
  name: string;
  enabled: boolean;
  strategy: CampaignStrategy;
  /** "Today" starts at local midnight in this time zone (the campaign's schedule's, else UTC). */
  timeZone: string;
  waiting: number;
  /** When the longest-waiting customer entered the queue (the console ticks the wait). */
  oldestQueuedAt: string | null;
  longestWaitSeconds: number;
  active: number;
  completedToday: number;
  abandonedToday: number;
  /** Share of today's finished waits answered by an agent within the service-level threshold, 0–100; null before any. */
  serviceLevelPercent: number | null;
  /** Average speed of answer: queued to the agent's first reply, over today's answered conversations. */
  asaSeconds: number | null;
  /** Average handle time: assignment to close, over conversations agents closed today. */
  ahtSeconds: number | null;
  /** Chats past the campaign's chat time right now. */
  overChatTime: number;
  onHold: { conversationId: number; address: string; name: string | null; queuedAt: string; priority: number }[];
  computedAt: string;
};

export type MonitorSnapshot = { campaigns: CampaignMonitor[]; agents: AgentMonitor[] };

export type AgentChatThread = {
  userId: number;
  displayName: string;
  role: Role;
  lastMessage: string;
  lastAt: string;
  unread: number;
};

export type AgentChatMessage = {
  id: number;
  fromUserId: number;
  fromName: string;
  toUserId: number;
  conversationId: number | null;
  body: string;
  createdAt: string;
};

/** Spool states by number; 0, 1 and 3 are the old system's. */
export const SPOOL_STATE_NAMES = ['none', 'to_process', 'sent', 'blocked', 'other', 'failed', 'cancelled'] as const;
export type SpoolStateName = (typeof SPOOL_STATE_NAMES)[number];

export type DialerInput = {
  name: string;
  channelId: number;
  scheduleId: number | null;
  /** Dinstar port range (`0-3` → 0,1,2,3,0…) or a modem (`dongle0`); null for providers that need none. */
  dialString: string | null;
  timeBetweenMessagesMs: number;
  batchSize: number;
  enabled: boolean;
  dncrCheck: boolean;
  /** Never send outside 08:00–21:00 in the recipient's local time (from the number's country). */
  quietHours: boolean;
  /** Cloud API channels: the approved template each row fills (the row's message: variables, `|`-separated). */
  template: { name: string; language: string } | null;
  securityGroupId: number | null;
};

export type DialerView = DialerInput & {
  id: number;
  running: boolean;
  runningChangedAt: string | null;
  channel: { id: number; name: string; type: ChannelType };
  schedule: { id: number; name: string } | null;
  /** Inside its schedule now (always true without one). */
  onSchedule: boolean;
  /** What the console must show beside the dialer, e.g. the ban risk of broadcasting over WhatsApp Web. */
  warnings: string[];
};

export type SpoolCounts = Record<SpoolStateName, number>;

export type DialerCampaignMonitor = {
  campaign: { id: number; name: string };
  counts: SpoolCounts;
  /** Sent, blocked, other, failed, cancelled: every row the dialer is done with. */
  processed: number;
  /** Still to process (state 1). */
  notProcessed: number;
};

/** The seed's dialers monitor: one dialer's status and figures, per campaign and in total. */
export type DialerMonitor = {
  dialer: { id: number; name: string };
  /** Active when enabled, started, and inside its schedule. */
  status: 'active' | 'inactive';
  onSchedule: boolean;
  enabled: boolean;
  running: boolean;
  campaigns: DialerCampaignMonitor[];
  totals: SpoolCounts & { processed: number; notProcessed: number };
  /** Sent in the last full minute. */
  sentPerMinute: number;
  /** Sent per minute over the last 15 minutes, oldest first (minute: ISO time). */
  sentByMinute: { minute: string; sent: number }[];
  at: string;
};

export type SpoolRowView = {
  id: number;
  campaign: { id: number; name: string };
  destination: string;
  message: string;
  priority: number;
  state: SpoolStateName;
  attempts: number;
  providerMessageId: string | null;
  deliveryStatus: string | null;
  error: string | null;
  device: string | null;
  idm: string | null;
  data: string | null;
  createdAt: string;
  processedAt: string | null;
};

/** One problem of an uploaded file: its line (1-based) and column (1-based; null for the whole line or file). */
export type FileIssue = { line: number | null; column: number | null; message: string };

export type SpoolImportView = {
  id: number;
  dialerId: number;
  fileName: string;
  rows: number;
  bytes: number;
  /** Rows per campaign name. */
  campaigns: Record<string, number>;
  createdBy: { id: number; displayName: string } | null;
  createdAt: string;
  finishedAt: string | null;
};

export type ImportProgress = { progressKey: string; bytes: number; totalBytes: number | null; rows: number; done: boolean };

export type DncrEntry = {
  id: number;
  number: string;
  campaign: { id: number; name: string } | null;
  source: 'manual' | 'upload' | 'opt_out';
  createdAt: string;
};

export type ApiKeyInput = { name: string; campaignIds: number[]; dialerId: number | null; securityGroupId: number | null };
export type ApiKeyView = ApiKeyInput & { id: number; prefix: string; createdAt: string; lastUsedAt: string | null; revokedAt: string | null };

export type ApiMessageView = {
  id: number;
  state: SpoolStateName;
  destination: string;
  campaign: string;
  dialerId: number;
  providerMessageId: string | null;
  deliveryStatus: string | null;
  createdAt: string;
  processedAt: string | null;
};
