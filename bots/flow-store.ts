import { eq } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';
import { botFlows, type campaigns } from '../db/schema/index.ts';
import { parseFlow, type Flow } from './flow-schema.ts';

type Campaign = typeof campaigns.$inferSelect;

/** A flow version never changes once saved (a change is a new version), so each is parsed once per process. */
const parsed = new Map<number, Flow>();

/** A saved flow version, parsed with its defaults; null when it is gone or no longer valid. */
export async function loadFlow(db: Executor, flowId: number): Promise<Flow | null> {
  const cached = parsed.get(flowId);
  if (cached) return cached;
  const row = await db.query.botFlows.findFirst({ where: eq(botFlows.id, flowId), columns: { definition: true } });
  if (!row) return null;
  const result = parseFlow(row.definition);
  if (!result.ok) return null;
  parsed.set(flowId, result.flow);
  return result.flow;
}

/**
 * The flow of a campaign without one of its own: the greeting (in hours), then a person. Out of hours
 * the handoff sends the out-of-time message, once, and the conversation stays with the bot.
 */
export function greetingFlow(campaign: Pick<Campaign, 'greetingMessage'>): Flow {
  const result = parseFlow({
    start: 'start',
    settings: { typingDelayMs: 0 },
    nodes: {
      start: {
        type: 'condition',
        branches: [{ when: { type: 'schedule', open: true }, next: campaign.greetingMessage ? 'greeting' : 'handoff' }],
        else: 'handoff',
      },
      ...(campaign.greetingMessage ? { greeting: { type: 'message', text: campaign.greetingMessage, next: 'handoff' } } : {}),
      handoff: { type: 'handoff' },
    },
  });
  if (!result.ok) throw new Error(`the built-in greeting flow is invalid: ${JSON.stringify(result.problems)}`);
  return result.flow;
}

/** The flow a conversation runs: its own version if it has started one, else its campaign's. */
export async function flowFor(db: Executor, campaign: Campaign, flowId: number | null): Promise<{ flowId: number | null; flow: Flow }> {
  const id = flowId ?? campaign.botFlowId;
  const flow = id === null ? null : await loadFlow(db, id);
  return flow ? { flowId: id, flow } : { flowId: null, flow: greetingFlow(campaign) };
}
