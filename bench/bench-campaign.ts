import { eq } from 'drizzle-orm';
import type { Db } from '../db/connection.ts';
import { campaigns } from '../db/schema/index.ts';
import { parseFlow } from '../bots/flow-schema.ts';
import { buildBotFlow, buildCampaign, buildSimulatorChannel } from '../test/harness/factories.ts';

/**
 * The bot a benchmark's customers write to:
 * - `handoff`: a campaign without a flow of its own, so the built-in one (`greetingFlow`,
 *   bots/flow-store.ts): the greeting, then the conversation is queued for an agent (none is a member).
 * - `greet`: a one-node flow that answers every message with a greeting and stays with the bot
 *   (a message node without `next` ends the flow; the next message starts it again).
 * Both without a typing delay, so a reply is sent as soon as it is queued.
 */
export type BenchFlow = 'handoff' | 'greet';
export const BENCH_FLOWS: readonly BenchFlow[] = ['handoff', 'greet'];

export const GREETING = 'Hello from the bot';

const GREET_FLOW = { start: 'greeting', settings: { typingDelayMs: 0 }, nodes: { greeting: { type: 'message', text: GREETING } } };

/** A simulator channel and its campaign (schedule: always open) running `flow`. */
export async function seedBenchCampaign(db: Db, input: { flow: BenchFlow; acdMaxWaiting?: number }) {
  const channel = await buildSimulatorChannel(db);
  const campaign = await buildCampaign(db, { channelIds: [channel.id], greetingMessage: GREETING, acdMaxWaiting: input.acdMaxWaiting ?? 100_000 });
  if (input.flow === 'greet') {
    // The platform falls back to the built-in flow for a flow it cannot parse: make sure this one parses.
    const parsed = parseFlow(GREET_FLOW);
    if (!parsed.ok) throw new Error(`the bench's greet flow is invalid: ${JSON.stringify(parsed.problems)}`);
    const flow = await buildBotFlow(db, GREET_FLOW);
    await db.update(campaigns).set({ botFlowId: flow.id }).where(eq(campaigns.id, campaign.id));
  }
  return { channel: { id: channel.id, signingKey: channel.secrets.signingKey! }, campaign: { id: campaign.id, name: campaign.name } };
}
