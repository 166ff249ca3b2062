import type { OutboundContent } from './conversations.ts';

/** One message the bot sends in a turn, with the node that sent it. */
export type DryRunReply = { node: string; body: string; content?: OutboundContent; outOfHours?: true };

/** How a turn of the bot ends. */
export type DryRunOutcome =
  | { type: 'wait' }
  | { type: 'ended' }
  | { type: 'handoff'; node: string; campaign: string | null; priority: number; note: string | null }
  | { type: 'close'; node: string };

export type BotFlowSummary = { id: number; name: string; version: number; createdAt: string; campaigns: { id: number; name: string }[] };

export type BotFlowView = BotFlowSummary & { definition: unknown };

export type DryRunResult = {
  turns: { message: string; replies: DryRunReply[]; path: string[]; outcome: DryRunOutcome }[];
  notPlayed: string[];
  final: { at: string | null; tries: number; vars: Record<string, unknown>; outcome: DryRunOutcome };
};
