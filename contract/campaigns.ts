import type { Presence, Role } from './common.ts';

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
