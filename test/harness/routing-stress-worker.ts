/**
 * One process of the routing stress test (test/routing-stress.test.ts): the real platform with
 * ROLES=workers (its pg-boss routing.assign workers among them) and, beside it, chaos lanes that
 * assign, change agents' presence, close, accept offers, transfer and feed the queue at random.
 *
 *   node test/harness/routing-stress-worker.ts --database-url URL --seed N
 *     --until '{"assignments":2000,"closes":500,"presenceChanges":200}' [--stall-ms 60000 --max-ms 480000] [--log-level error]
 *
 * Prints `{"ready":pid}` once the platform runs, starts the chaos on a line on stdin (so every
 * process is running before any starts), runs it until the database shows the `until` amounts of
 * work done by all processes together (so they all stop within a poll of each other), and prints
 * one `{"routingStress":{…}}` line of counts at exit. The work, not the clock, ends the run: a busy
 * machine just takes longer. Refusals the engine is meant to give are counted; any other error
 * stops the process with exit code 1 (its message and stack in the counts line), and so does a run
 * whose owed work stops moving for `stall-ms` or is not done after `max-ms` (both far beyond any
 * machine merely being slow).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { setTimeout } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { eq, sql } from 'drizzle-orm';
import { TransitionError } from '../../conversations/conversation-status.ts';
import { closeConversation } from '../../routing/close-conversation.ts';
import { connectDatabase } from '../../db/connection.ts';
import { campaignMembers, campaigns, conversations, users } from '../../db/schema/index.ts';
import { PresenceError, setPresence } from '../../routing/agent-presence.ts';
import { assignWaiting } from '../../routing/assign-conversations.ts';
import { acceptOffer, OfferGoneError } from '../../routing/offers.ts';
import { requestAssignment } from '../../routing/queue-conversation.ts';
import { TakeRefusedError } from '../../routing/take-conversation.ts';
import { transferConversation } from '../../routing/transfer-conversation.ts';
import { loadConfig } from '../../kernel/config.ts';
import { createLogger } from '../../kernel/logger.ts';
import { startPlatform } from '../../server/platform.ts';
import { inTransaction, type Services } from '../../kernel/unit-of-work.ts';
import type { Actor } from '../../kernel/actor.ts';
import { runCommand } from '../../kernel/command.ts';
import { countRoutingWork, type RoutingWork } from './routing-audit.ts';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    seed: { type: 'string' },
    until: { type: 'string' },
    'stall-ms': { type: 'string', default: '60000' },
    'max-ms': { type: 'string', default: '480000' },
    'log-level': { type: 'string', default: 'error' },
  },
});
const databaseUrl = args['database-url'];
if (!databaseUrl || !args.seed || !args.until) {
  throw new Error('usage: routing-stress-worker.ts --database-url URL --seed N --until JSON [--stall-ms MS --max-ms MS]');
}
const seed = Number(args.seed);
const until = JSON.parse(args.until) as Partial<RoutingWork>;
const stallMs = Number(args['stall-ms']);
const maxMs = Number(args['max-ms']);
/** Lanes of this process: each runs one action at a time. */
const ASSIGN_LANES = 2;
const CHAOS_LANES = 3;
const CHAOS_CONNECTIONS = ASSIGN_LANES + CHAOS_LANES;

/** mulberry32: the seed decides every choice the lanes make (not their timing), so a run can be replayed. */
function seededRandom(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seededRandom(seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'omnichat-stress-'));
const config = loadConfig({
  NODE_ENV: 'test',
  ROLES: 'workers',
  DATABASE_URL: databaseUrl,
  DATA_DIR: dataDir,
  LOG_LEVEL: args['log-level'],
  SEED_DEMO: 'false',
  SHUTDOWN_TIMEOUT_MS: '5000',
});
const platform = await startPlatform({ config, logger: createLogger(config.logLevel), databaseUrl });
// The chaos lanes get a small pool of their own: two cores do no more with more connections, and four
// processes with full pools (the platform's 20 + 6 each) would crowd out the other test files
// running on the same server (PostgreSQL's default is 100 connections).
const chaosDatabase = connectDatabase(databaseUrl, { max: CHAOS_CONNECTIONS, applicationName: 'omnichat-stress' });
const services: Services = { db: chaosDatabase.db, boss: platform.services.boss, realtime: platform.services.realtime };
const { db } = services;

// The cast, as the test seeded it (it does not change while the chaos runs).
const agents = await db.select({ id: users.id, displayName: users.displayName }).from(users).where(eq(users.role, 'agent'));
const [supervisor] = await db.select({ id: users.id }).from(users).where(eq(users.role, 'supervisor'));
const allCampaigns = await db.select({ id: campaigns.id, strategy: campaigns.strategy, stickyAgent: campaigns.stickyAgent }).from(campaigns);
const members = await db.select().from(campaignMembers);
const membersOf = (campaignId: number) => members.filter((m) => m.campaignId === campaignId).map((m) => m.userId);
const agentName = new Map(agents.map((agent) => [agent.id, agent.displayName]));
/** An agent as a command sees them (the stress drives the commands directly, without sessions). */
const agentActor = (userId: number): Actor => ({
  userId,
  username: agentName.get(userId)!,
  displayName: agentName.get(userId)!,
  role: 'agent',
  securityGroupIds: [],
  tokenHash: '',
});
const [channel] = (await db.execute(sql`select id from channels order by id limit 1`)) as unknown as [{ id: number }];

type Outcome = 'done' | 'skipped';
const counts = {
  pid: process.pid,
  seed,
  /** Per action: how many ran, and how many did what they set out to do. */
  actions: {} as Record<string, { runs: number; done: number; ms: number }>,
  assignedByChaos: 0,
  offersMade: 0,
  fed: 0,
  /** Refusals the engine is meant to give, by action and error name (or SQLSTATE). */
  expected: {} as Record<string, number>,
  fatal: null as null | { action: string; message: string; stack?: string; cause?: string },
  elapsedMs: 0,
};

/** A refusal the engine is meant to give under contention, or null for anything else (a bug). */
function expectedKind(error: unknown): string | null {
  if (error instanceof TransitionError || error instanceof PresenceError || error instanceof TakeRefusedError || error instanceof OfferGoneError) {
    return error.name;
  }
  // drizzle wraps the driver's error; the SQLSTATE is on it or on its cause.
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code === '40001') return 'serialization_failure';
  if (code === '40P01') return 'deadlock';
  return null;
}

const randomAssigned = async () =>
  (
    (await db.execute(sql`
    select id, assigned_user_id, campaign_id from conversations
     where status = 'assigned' order by random() limit 1`)) as unknown as { id: number; assigned_user_id: number; campaign_id: number }[]
  )[0];

type Action = { name: string; run: () => Promise<Outcome> };

/**
 * Routing runs right here too, beside the platform's own assign workers of four processes, in a
 * lane of its own: round robin's assigners queue on the campaign row, and chaos lanes stuck in
 * that queue would do nothing else meanwhile.
 */
const ASSIGN: Action = {
  name: 'assign',
  async run() {
    const campaign = pick(allCampaigns);
    const n = await assignWaiting(services, campaign.id, 20);
    if (campaign.strategy === 'offer_all') counts.offersMade += n;
    else counts.assignedByChaos += n;
    return n > 0 ? 'done' : 'skipped';
  },
};

/** The chaos: each action is one thing an agent, a supervisor or a customer does. */
const ACTIONS: (Action & { weight: number })[] = [
  {
    // An agent goes on break or offline (offline requeues their chats), or comes back. Leaving is
    // half as likely as coming back, so about two agents in three are available at any time.
    name: 'presence',
    weight: 1.5,
    async run() {
      const agent = pick(agents);
      const [row] = (await db.execute(sql`select state from agent_presence where user_id = ${agent.id}`)) as unknown as [{ state: string }];
      let change: { state: 'available' | 'break' | 'offline'; breakName?: string };
      if (row.state !== 'available') change = { state: 'available' };
      else if (random() < 0.5) change = random() < 0.6 ? { state: 'break', breakName: pick(['Lunch', 'Training']) } : { state: 'offline' };
      else return 'skipped';
      await inTransaction(services, (uow) => setPresence(uow, { userId: agent.id, change, changedByUserId: agent.id, reason: 'stress' }));
      return 'done';
    },
  },
  {
    // As the close route does: lock the conversation first, then close. Nine times in ten an agent
    // closes one of their own (any assigned conversation nobody else has locked right now); else a
    // supervisor closes a conversation seen assigned a moment ago, whatever it has become since
    // (requeued, transferred, closed: the refusal is counted).
    name: 'close',
    weight: 5,
    async run() {
      if (random() < 0.9) {
        return inTransaction(services, async (uow): Promise<Outcome> => {
          const [conversation] = await uow.tx
            .select()
            .from(conversations)
            .where(eq(conversations.status, 'assigned'))
            .orderBy(sql`random()`)
            .limit(1)
            .for('update', { skipLocked: true });
          if (!conversation) return 'skipped';
          await closeConversation(uow, conversation, { reason: 'agent_closed', closedByUserId: conversation.assignedUserId! });
          return 'done';
        });
      }
      const target = await randomAssigned();
      if (!target) return 'skipped';
      await inTransaction(services, async (uow) => {
        const [conversation] = await uow.tx.select().from(conversations).where(eq(conversations.id, target.id)).for('update');
        await closeConversation(uow, conversation!, { reason: 'supervisor_closed', closedByUserId: supervisor!.id });
      });
      return 'done';
    },
  },
  {
    // Offer-to-all: an agent accepts one of their offers; sometimes one not made to them.
    name: 'accept',
    weight: 1.5,
    async run() {
      const [offer] = (await db.execute(sql`
        select conversation_id, user_id from conversation_offers order by random() limit 1`)) as unknown as { conversation_id: number; user_id: number }[];
      if (!offer) return 'skipped';
      const userId = random() < 0.2 ? pick(agents).id : offer.user_id;
      await runCommand(services, agentActor(userId), (ctx) => acceptOffer(ctx, { conversationId: offer.conversation_id }));
      return 'done';
    },
  },
  {
    // The agent holding a conversation hands it to another member of its campaign.
    name: 'transfer',
    weight: 0.7,
    async run() {
      const target = await randomAssigned();
      if (!target) return 'skipped';
      const others = membersOf(target.campaign_id).filter((id) => id !== target.assigned_user_id);
      if (others.length === 0) return 'skipped';
      const actor = agentActor(target.assigned_user_id);
      await runCommand(services, actor, (ctx) => transferConversation(ctx, { conversationId: target.id, toUserId: pick(others), note: 'stress transfer' }));
      return 'done';
    },
  },
  {
    // New customers keep the queue fed. In sticky campaigns some are earlier customers coming back,
    // with priority so they reach the head past the seeded backlog (and their last agent, if free).
    name: 'feed',
    weight: 0.6,
    async run() {
      const campaign = pick(allCampaigns);
      const returning = campaign.stickyAgent && random() < 0.5;
      const made = await inTransaction(services, async (uow) => {
        const rows = (returning
          ? await uow.tx.execute(sql`
              insert into conversations (channel_id, contact_id, contact_address_id, campaign_id, status, priority, queued_at)
              select channel_id, contact_id, contact_address_id, campaign_id, 'queued', 1, clock_timestamp()
                from (select distinct on (c.contact_id) c.channel_id, c.contact_id, c.contact_address_id, c.campaign_id
                        from conversations c
                       where c.campaign_id = ${campaign.id} and c.status = 'closed'
                         and not exists (select 1 from conversations o where o.contact_id = c.contact_id and o.channel_id = c.channel_id and o.status <> 'closed')
                       order by c.contact_id) closed
               order by random() limit 5
              on conflict do nothing
              returning id`)
          : await uow.tx.execute(sql`
              with made as (insert into contacts (name) select 'stress fed' from generate_series(1, 5) returning id),
                   address as (
                     insert into contact_addresses (contact_id, channel_id, address)
                     select id, ${channel.id}, '+1555' || lpad(id::text, 9, '0') from made returning id, contact_id)
              insert into conversations (channel_id, contact_id, contact_address_id, campaign_id, status, queued_at)
              select ${channel.id}, contact_id, id, ${campaign.id}, 'queued', clock_timestamp() from address
              returning id`)) as unknown as { id: number }[];
        if (rows.length) await requestAssignment(uow, campaign.id);
        return rows.length;
      });
      counts.fed += made;
      return made ? 'done' : 'skipped';
    },
  },
];
const totalWeight = ACTIONS.reduce((sum, action) => sum + action.weight, 0);
function chaosAction(): Action {
  let roll = random() * totalWeight;
  for (const action of ACTIONS) {
    roll -= action.weight;
    if (roll < 0) return action;
  }
  return ACTIONS[ACTIONS.length - 1]!;
}

process.stdout.write(`${JSON.stringify({ ready: process.pid })}\n`);
await once(process.stdin, 'data');
process.stdin.pause();

const started = Date.now();
let stopped = false;
/**
 * Stops the lanes once the `until` work is done, or at once on a fatal error. Only the work still
 * owed counts as progress (presence changes going on do not hide assignments that stopped); when
 * none of it moves for `stall-ms`, or it is not done after `max-ms`, the run fails saying how far it got.
 */
async function stopWhenDone() {
  const kinds = Object.keys(until) as (keyof RoutingWork)[];
  const progress = (work: RoutingWork) => kinds.map((kind) => `${kind} ${work[kind]} of ${until[kind]}`).join(', ');
  let last = await countRoutingWork(db);
  let movedAt = Date.now();
  while (!counts.fatal) {
    const work = await countRoutingWork(db);
    const owed = kinds.filter((kind) => work[kind] < until[kind]!);
    if (owed.length === 0) break;
    if (owed.some((kind) => work[kind] > last[kind])) movedAt = Date.now();
    last = work;
    const stuck = Date.now() - movedAt >= stallMs;
    if (stuck || Date.now() - started >= maxMs) {
      const why = stuck ? `no progress for ${stallMs / 1000} s` : `not done after ${maxMs / 1000} s`;
      counts.fatal = { action: 'until', message: `the routing work stopped short (${why}): ${progress(work)}` };
      break;
    }
    await setTimeout(250);
  }
  stopped = true;
}
async function lane(nextAction: () => Action) {
  while (!stopped && !counts.fatal) {
    const action = nextAction();
    let tally = counts.actions[action.name];
    if (!tally) {
      tally = { runs: 0, done: 0, ms: 0 };
      counts.actions[action.name] = tally;
    }
    tally.runs++;
    const began = performance.now();
    try {
      if ((await action.run()) === 'done') tally.done++;
    } catch (error) {
      const kind = expectedKind(error);
      if (kind) {
        const key = `${action.name}: ${kind}`;
        counts.expected[key] = (counts.expected[key] ?? 0) + 1;
        continue;
      }
      const cause = (error as { cause?: unknown }).cause;
      counts.fatal = {
        action: action.name,
        message: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
        cause: cause === undefined ? undefined : String(cause instanceof Error ? `${cause.message} (${(cause as { code?: string }).code})` : cause),
      };
    } finally {
      tally.ms += Math.round(performance.now() - began);
    }
  }
}
await Promise.all([
  stopWhenDone(),
  ...Array.from({ length: ASSIGN_LANES }, () => lane(() => ASSIGN)),
  ...Array.from({ length: CHAOS_LANES }, () => lane(chaosAction)),
]);
counts.elapsedMs = Date.now() - started;
await chaosDatabase.close();
await platform.stop();
await fs.rm(dataDir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ routingStress: counts })}\n`, () => process.exit(counts.fatal ? 1 : 0));
