import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import type postgres from 'postgres';
import { closeConversation } from '../routing/close-conversation.ts';
import { connectDatabase } from '../db/connection.ts';
import { applyMigrations } from '../db/migrate.ts';
import { conversations, type CampaignStrategy } from '../db/schema/index.ts';
import { requestAssignment } from '../routing/queue-conversation.ts';
import type { AppServices as Services } from '../api/app-services.ts';
import { loadConfig } from '../kernel/config.ts';
import { createLogger } from '../kernel/logger.ts';
import { startPlatform } from '../server/platform.ts';
import { inTransaction } from '../kernel/unit-of-work.ts';
import { buildSimulatorChannel } from '../test/harness/factories.ts';
import { benchDatabase } from './bench-database.ts';

export type RoutingBenchOptions = {
  conversations: number;
  campaigns: number;
  agents: number;
  maxInteractions: number;
  strategy: CampaignStrategy;
  /** Assigned conversations closed one by one in the "capacity freed → next assigned" phase. */
  closes: number;
  /** Pace of those closes: one every this many milliseconds. */
  closeIntervalMs: number;
  databaseUrl?: string;
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const BASELINE_TABLE = 'bench_baseline_conversations';

/**
 * Routing: campaigns with available agents and a long queue. Phase "assign": the real routing.assign
 * workers drain the queues until every agent is at max interactions. Phase "freed": assigned
 * conversations close at a steady pace (as the console's close route does), each timed from its commit
 * until its campaign assigns the next waiting one. Baseline, same run and server: the same number of
 * bare `update … where id = (select … for update skip locked limit 1)` transactions on a copy of the queue.
 */
export async function run(options: RoutingBenchOptions) {
  assert(options.strategy !== 'offer_all', 'offer_all only offers; the routing benchmark needs a strategy that assigns');
  const logger = createLogger('warn');
  const database = await benchDatabase('routing', options.databaseUrl, logger);
  try {
    // Seeded before the platform starts, so no worker (nor the every-minute sweep) assigns before the clock runs.
    const seeding = connectDatabase(database.databaseUrl, { max: 2, applicationName: 'omnichat-bench-seed' });
    const seedStart = performance.now();
    await applyMigrations(seeding.sql);
    const seeded = await seed(seeding, options);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    const capacity = Math.min(options.conversations, options.agents * options.maxInteractions);
    const baselineSeconds = await baseline(seeding.sql, seeded.membersByCampaign, capacity);
    await seeding.close();

    const config = loadConfig({ ROLES: 'workers', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SEED_DEMO: 'false', DATA_DIR: '/tmp/omnichat-bench-data' });
    const platform = await startPlatform({ config, logger, databaseUrl: database.databaseUrl });
    try {
      const assign = await assignPhase(platform.services, seeded.campaignIds, capacity);
      // Not timed. The burst just moved thousands of rows from queued to assigned; autovacuum would
      // analyze within a minute, and stale statistics make the close's guarded update walk the whole
      // conversations_assigned_idx instead of the primary key (see README), so phase 2 starts fresh.
      await platform.services.sql`analyze conversations, conversation_assignments, agent_presence`;
      const freed = await freedPhase(platform.services, options);
      const assignmentsPerSecond = assign.assigned / assign.seconds;
      const baselinePerSecond = capacity / baselineSeconds;
      // Let the last live-event signals (sent 100 ms after a change) go out before the pool closes.
      await sleep(250);
      return {
        bench: 'routing',
        strategy: options.strategy,
        conversations: options.conversations,
        campaigns: options.campaigns,
        agents: options.agents,
        maxInteractions: options.maxInteractions,
        assigned: assign.assigned,
        stalled: assign.stalled,
        assignSeconds: Number(assign.seconds.toFixed(2)),
        assignmentsPerSecond: Math.round(assignmentsPerSecond),
        baselinePerSecond: Math.round(baselinePerSecond),
        ratio: Number((assignmentsPerSecond / baselinePerSecond).toFixed(3)),
        freedToAssignedMs: freed.latency,
        freedSameAgentShare: freed.sameAgentShare,
        freedMissing: freed.missing,
        closeTxMs: freed.closeTx,
        seedSeconds: Number(seedSeconds.toFixed(1)),
      };
    } finally {
      await platform.stop();
    }
  } finally {
    await database.drop();
  }
}

type Seeding = ReturnType<typeof connectDatabase>;

/**
 * Set-based seed: campaigns on one simulator channel, agents available and spread evenly over the
 * campaigns (one each, in member order), and conversations queued round-robin over the campaigns,
 * oldest first by id. A bare copy of the queue (same rows, indexes and checks; no foreign keys) for the baseline.
 */
async function seed({ db, sql }: Seeding, options: RoutingBenchOptions) {
  const channel = await buildSimulatorChannel(db);
  const campaignIds = (
    await sql<{ id: number }[]>`
      insert into campaigns (name, strategy, max_interactions_per_agent, acd_max_waiting)
      select 'bench-campaign-' || g, ${options.strategy}, ${options.maxInteractions}, ${options.conversations}
        from generate_series(1, ${options.campaigns}) g
      returning id`
  ).map((row) => row.id);
  await sql`insert into campaign_channels (campaign_id, channel_id) select unnest(${campaignIds}::int[]), ${channel.id}`;
  await sql`
    with agent as (
      insert into users (username, display_name, role, password_hash)
      select 'bench-agent-' || g, 'Bench agent ' || g, 'agent', '!' from generate_series(1, ${options.agents}) g
      returning id
    ), numbered as (select id, row_number() over (order by id) - 1 as k from agent),
    presence as (insert into agent_presence (user_id, state) select id, 'available' from numbered)
    insert into campaign_members (campaign_id, user_id, position)
    select (${campaignIds}::int[])[1 + k % ${options.campaigns}], id, 1 + k / ${options.campaigns} from numbered`;
  await sql`
    with contact as (
      insert into contacts (name) select 'bench-' || g from generate_series(1, ${options.conversations}) g returning id
    ), numbered as (select id, row_number() over (order by id) - 1 as k from contact),
    address as (
      insert into contact_addresses (contact_id, channel_id, address)
      select id, ${channel.id}, '+59899' || lpad(k::text, 7, '0') from numbered
      returning id, contact_id
    )
    insert into conversations (channel_id, contact_id, contact_address_id, campaign_id, status, queued_at, last_contact_message_at)
    select ${channel.id}, n.id, a.id, (${campaignIds}::int[])[1 + n.k % ${options.campaigns}], 'queued',
           now() - make_interval(secs => (${options.conversations} - n.k) / 1000.0), now()
      from numbered n join address a on a.contact_id = n.id`;
  await sql.unsafe(`create table ${BASELINE_TABLE} (like conversations including all)`);
  await sql.unsafe(`insert into ${BASELINE_TABLE} overriding system value select * from conversations`);
  await sql`analyze`;
  const members = await sql<{ campaign_id: number; user_id: number }[]>`select campaign_id, user_id from campaign_members order by campaign_id, position`;
  const membersByCampaign = new Map<number, number[]>(campaignIds.map((id) => [id, []]));
  for (const row of members) membersByCampaign.get(row.campaign_id)!.push(row.user_id);
  return { campaignIds, membersByCampaign };
}

/** `count` single-row assignment transactions in one loop, campaigns in turn, agents in turn: the floor. */
async function baseline(sql: postgres.Sql, membersByCampaign: Map<number, number[]>, count: number): Promise<number> {
  const campaigns = [...membersByCampaign.entries()];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const [campaignId, members] = campaigns[i % campaigns.length]!;
    const agent = members[Math.floor(i / campaigns.length) % members.length]!;
    await sql.begin(
      (tx) => tx`
        update ${tx(BASELINE_TABLE)} set status = 'assigned', assigned_user_id = ${agent}, assigned_at = now()
         where id = (select id from ${tx(BASELINE_TABLE)}
                      where campaign_id = ${campaignId} and status = 'queued'
                      order by priority desc, queued_at, id limit 1 for update skip locked)`,
    );
  }
  return (performance.now() - start) / 1000;
}

/** Milliseconds since the epoch on the database clock (drizzle's driver leaves timestamps as text: read them as numbers). */
const dbClock = async (sql: postgres.Sql) => (await sql<{ ms: number }[]>`select extract(epoch from clock_timestamp())::float8 * 1000 as ms`)[0]!.ms;

/**
 * Asks routing to look at every campaign (one transaction, as an agent becoming available does) and
 * waits until the capacity is full; the rate is taken on the database clock, up to the last assignment.
 */
async function assignPhase(services: Services, campaignIds: number[], capacity: number) {
  const { sql } = services;
  const start = await dbClock(sql);
  await inTransaction(services, async (uow) => {
    for (const campaignId of campaignIds) await requestAssignment(uow, campaignId);
  });
  let assigned = 0;
  let lastProgress = performance.now();
  let stalled = false;
  while (assigned < capacity) {
    await sleep(50);
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from conversations where status = 'assigned'`;
    if (row!.n > assigned) lastProgress = performance.now();
    assigned = row!.n;
    // Nothing assigned for 15 s (a minute's sweep would retry): report what was reached.
    if (performance.now() - lastProgress > 15_000) {
      stalled = true;
      break;
    }
  }
  const [last] = await sql<{ ms: number | null }[]>`select extract(epoch from max(assigned_at))::float8 * 1000 as ms from conversation_assignments`;
  const seconds = ((last!.ms ?? start) - start) / 1000;
  return { assigned, stalled, seconds: Math.max(seconds, 0.001) };
}

/**
 * Closes `closes` assigned conversations at a steady pace, campaigns in turn, each in its own
 * transaction the way the console's close route does; then pairs, per campaign, the k-th close with
 * the k-th assignment made after the phase began (each close frees exactly one slot, and the queue
 * never runs dry, so the pairing is exact).
 */
async function freedPhase(services: Services, options: RoutingBenchOptions) {
  const { sql } = services;
  const victims = await sql<{ id: number; campaign_id: number; assigned_user_id: number }[]>`
    select id, campaign_id, assigned_user_id from (
      select id, campaign_id, assigned_user_id, row_number() over (partition by campaign_id order by assigned_at, id) as k
        from conversations where status = 'assigned') ranked
     order by k, campaign_id limit ${options.closes}`;
  const [mark] = await sql<{ id: number | null }[]>`select max(id)::int as id from conversation_assignments`;
  const closes: { campaignId: number; agentId: number; committedAtMs: number }[] = [];
  const closeTx: number[] = [];
  const start = performance.now();
  for (const [i, victim] of victims.entries()) {
    const wait = start + i * options.closeIntervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    const began = performance.now();
    await inTransaction(services, async (uow) => {
      const [conversation] = await uow.tx.select().from(conversations).where(eq(conversations.id, victim.id)).for('update');
      return closeConversation(uow, conversation!, { reason: 'agent_closed', closedByUserId: victim.assigned_user_id });
    });
    closeTx.push(performance.now() - began);
    // Read right after the commit returns: the database clock, as conversation_assignments.assigned_at is.
    closes.push({ campaignId: victim.campaign_id, agentId: victim.assigned_user_id, committedAtMs: await dbClock(sql) });
  }
  const expected = closes.length;
  const deadline = performance.now() + 30_000;
  let made: { campaign_id: number; user_id: number; assigned_ms: number }[] = [];
  for (;;) {
    made = await sql`
      select campaign_id, user_id, extract(epoch from assigned_at)::float8 * 1000 as assigned_ms
        from conversation_assignments where id > ${mark!.id ?? 0} order by id`;
    if (made.length >= expected || performance.now() > deadline) break;
    await sleep(50);
  }
  const madeByCampaign = new Map<number, typeof made>();
  for (const row of made) madeByCampaign.set(row.campaign_id, [...(madeByCampaign.get(row.campaign_id) ?? []), row]);
  const latencies: number[] = [];
  let sameAgent = 0;
  const seenByCampaign = new Map<number, number>();
  for (const close of closes) {
    const k = seenByCampaign.get(close.campaignId) ?? 0;
    seenByCampaign.set(close.campaignId, k + 1);
    const next = madeByCampaign.get(close.campaignId)?.[k];
    if (!next) continue;
    latencies.push(next.assigned_ms - close.committedAtMs);
    if (next.user_id === close.agentId) sameAgent++;
  }
  latencies.sort((a, b) => a - b);
  closeTx.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    latency: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? NaN), n: latencies.length },
    sameAgentShare: latencies.length ? Number((sameAgent / latencies.length).toFixed(3)) : null,
    missing: expected - latencies.length,
    closeTx: { p50: round(percentile(closeTx, 50)), p99: round(percentile(closeTx, 99)) },
  };
}
