import { z } from 'zod';
import type { DryRunResult } from '../contract/bot-flows.ts';
import type { TurnContext } from './flow-conditions.ts';
import { newSession, runTurn, type Outcome } from './flow-engine.ts';
import type { Flow } from './flow-schema.ts';
import { fetchJson, type HttpCall } from './http-node.ts';

/** What the flow editor plays: customer messages, and optionally who the customer is and what HTTP nodes answer. */
export const dryRunInputSchema = z.object({
  messages: z.array(z.string().trim().min(1).max(4096)).min(1, 'Give at least one customer message').max(50),
  contact: z
    .object({
      name: z.string().max(200).nullable().default(null),
      address: z.string().max(100).default('+15550100000'),
      attributes: z.record(z.string(), z.unknown()).default({}),
    })
    .prefault({}),
  channel: z.object({ type: z.string().max(40).default('simulator'), name: z.string().max(200).default('Dry run') }).prefault({}),
  campaign: z
    .object({
      name: z.string().max(200).nullable().default(null),
      open: z.boolean().default(true),
      timeZone: z.string().max(64).default('UTC'),
      outOfTimeMessage: z.string().max(4096).nullable().default('We are closed right now.'),
    })
    .prefault({}),
  now: z.iso.datetime({ offset: true }).optional(),
  /**
   * Answers for HTTP nodes by node id: `{ status, body }`, or `{ error }` for a timeout or network
   * failure. A node without one calls its real URL (GET and the rest alike: the editor asked for it).
   */
  http: z
    .record(z.string(), z.union([z.object({ status: z.number().int().min(100).max(599), body: z.unknown() }), z.object({ error: z.string().max(200) })]))
    .default({}),
});
export type DryRunInput = z.infer<typeof dryRunInputSchema>;

/** Plays a flow against customer messages without touching a conversation or sending anything. */
export async function dryRun(flow: Flow, input: DryRunInput, platformUrl: string, live: HttpCall = fetchJson): Promise<DryRunResult> {
  const context: TurnContext = {
    now: input.now ? new Date(input.now) : new Date(),
    conversationId: 0,
    contact: input.contact,
    channel: input.channel,
    campaign: input.campaign,
    platformUrl,
  };
  const http: HttpCall = async (request) => {
    const canned = input.http[request.node];
    if (!canned) return live(request);
    if ('error' in canned) throw new Error(canned.error);
    return { status: canned.status, body: canned.body };
  };
  let session = newSession(null);
  let outOfHoursNotified = false;
  let outcome: Outcome = { type: 'ended' };
  const turns: DryRunResult['turns'] = [];
  for (const [index, message] of input.messages.entries()) {
    const result = await runTurn(flow, session, { type: 'message', text: message }, context, { http, outOfHoursNotified });
    session = result.session;
    outOfHoursNotified ||= result.notifiedOutOfHours;
    outcome = result.outcome;
    turns.push({ message, replies: result.replies, path: result.path, outcome });
    if (outcome.type === 'handoff' || outcome.type === 'close') {
      return { turns, notPlayed: input.messages.slice(index + 1), final: { at: session.at, tries: session.tries, vars: session.vars, outcome } };
    }
  }
  return { turns, notPlayed: [], final: { at: session.at, tries: session.tries, vars: session.vars, outcome } };
}
