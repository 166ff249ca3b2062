import type { CampaignStrategy } from './campaigns.ts';
import type { PresenceState, Role } from './common.ts';

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
