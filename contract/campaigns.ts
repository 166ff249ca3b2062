import type { Presence, Role } from './common.ts';

export const CAMPAIGN_STRATEGIES = ['round_robin', 'longest_idle', 'fewest_active', 'random', 'linear', 'offer_all'] as const;
export type CampaignStrategy = (typeof CAMPAIGN_STRATEGIES)[number];

/** At the ACD limit: close with the queue-full message, or keep the customer with the bot. */
export const ACD_FULL_ACTIONS = ['close', 'stay_with_bot'] as const;

/** Where an opt-out lands on the DNCR: this campaign only, or every campaign. */
export const OPT_OUT_SCOPES = ['campaign', 'global'] as const;

/** The keywords and answers of opt-out, opt-in and help; also what a conversation without a campaign uses. */
export const OPT_OUT_DEFAULTS = {
  optOutKeywords: ['STOP', 'BAJA', 'UNSUBSCRIBE', 'CANCELAR', 'QUIT', 'END'],
  optInKeywords: ['START', 'ALTA'],
  helpKeywords: ['HELP', 'AYUDA'],
  optOutMessage: 'You will not receive more messages from us. Reply START to subscribe again.',
  optInMessage: 'You are subscribed again. Reply STOP to unsubscribe.',
  helpMessage: 'Write your question and we will answer. Reply STOP to unsubscribe, START to subscribe again.',
};

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
  acdFullAction: (typeof ACD_FULL_ACTIONS)[number];
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
  optOutScope: (typeof OPT_OUT_SCOPES)[number];
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

/** A new campaign's settings when the form or the request leaves them out: the database's column defaults and the console's new-campaign form. */
export const CAMPAIGN_DEFAULTS = {
  didPorts: [],
  channelIds: [],
  strategy: 'fewest_active',
  scheduleId: null,
  greetingMessage: null,
  outOfTimeMessage: null,
  queueFullMessage: null,
  serviceLevelSeconds: 60,
  churnSeconds: 300,
  chatTimeSeconds: 900,
  acdMaxWaiting: 50,
  acdFullAction: 'close',
  maxInteractionsPerAgent: 3,
  agentAnswerTimeoutSeconds: null,
  stickyAgent: false,
  enabled: true,
  securityGroupId: null,
  botFlowId: null,
  cannedResponses: [],
  optOutScope: 'campaign',
  ...OPT_OUT_DEFAULTS,
} as const satisfies Omit<CampaignInput, 'name'>;
