import type { ChannelType } from './channels.ts';

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
