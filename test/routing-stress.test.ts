import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../db/connection.ts';
import { applyMigrations } from '../db/migrate.ts';
import { agentPresenceLog, conversationAssignments, conversations, type CampaignStrategy } from '../db/schema/index.ts';
import { buildCampaign, buildSimulatorChannel } from './harness/factories.ts';
import { AUDIT_CHECKS, auditRouting, countRoutingWork, type AuditCheck, type RoutingWork } from './harness/routing-audit.ts';
import { createTestDatabase } from './harness/test-database.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PROCESSES = 4;
/**
 * The chaos runs until the four processes together have done this much (about 30 s on a quiet
 * 2-core machine; a busy one takes longer, and that is no failure). The assignments take longest.
 */
const ENOUGH_WORK: RoutingWork = { assignments: 2000, closes: 500, presenceChanges: 200 };
/**
 * Only a run that stops making progress fails: no new owed work for a minute, or not done after
 * eight (sixteen times the quiet run). Each is far beyond what a merely slow machine needs.
 */
const STALL_MS = 60_000;
const MAX_CHAOS_MS = 480_000;
const AGENTS = 40;
const QUEUED = 3000;
const NO_VIOLATIONS = Object.fromEntries(AUDIT_CHECKS.map((check) => [check, 0])) as Record<AuditCheck, number>;

/** Every database and child process this file opened, closed however the test ends. */
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A fresh migrated database of this file, and its URL for the child processes. */
async function freshDatabase(): Promise<Database & { url: string }> {
  const created = await createTestDatabase();
  const database = connectDatabase(created.url, { max: 4 });
  cleanups.push(created.drop, database.close);
  await applyMigrations(database.sql);
  return { ...database, url: created.url };
}

/** Agents, campaigns of every strategy (some agents in two), and a long queue, inserted set-based. */
async function seed(database: Database & { url: string }) {
  const { db } = database;
  // Commits need not wait for the disk flush: crash safety is not under test, and locks and
  // visibility are the same either way.
  await db.execute(sql.raw(`alter database "${new URL(database.url).pathname.slice(1)}" set synchronous_commit = off`));
  const channel = await buildSimulatorChannel(db);
  const agentIds = (
    (await db.execute(sql`
      insert into users (username, display_name, role, password_hash)
      select 'stress-agent-' || g, 'Agent ' || g, 'agent', 'no-login' from generate_series(1, ${AGENTS}) g
      returning id`)) as unknown as { id: number }[]
  )
    .map((row) => row.id)
    .sort((a, b) => a - b);
  await db.execute(sql`insert into users (username, display_name, role, password_hash) values ('stress-supervisor', 'Supervisor', 'supervisor', 'no-login')`);
  // Everyone starts available, and the log says since when (the audit reads states from the log).
  await db.execute(sql`
    insert into agent_presence (user_id, state, since) select id, 'available', clock_timestamp() from users where role = 'agent'`);
  await db.execute(sql`
    insert into agent_presence_log (user_id, state, reason, at) select user_id, state, 'seeded', since from agent_presence`);

  const setups: { strategy: CampaignStrategy; maxInteractionsPerAgent: number; stickyAgent?: boolean }[] = [
    { strategy: 'fewest_active', maxInteractionsPerAgent: 2 },
    { strategy: 'round_robin', maxInteractionsPerAgent: 3, stickyAgent: true },
    { strategy: 'longest_idle', maxInteractionsPerAgent: 4, stickyAgent: true },
    { strategy: 'linear', maxInteractionsPerAgent: 3 },
    { strategy: 'offer_all', maxInteractionsPerAgent: 2 },
  ];
  const campaignIds: number[] = [];
  for (const [k, setup] of setups.entries()) {
    // Agent i serves campaign i mod 5; the first 15 also serve campaign (i + 2) mod 5, whose limit differs.
    const memberIds = agentIds.filter((_, i) => i % setups.length === k || (i < 15 && (i + 2) % setups.length === k));
    const campaign = await buildCampaign(db, { ...setup, channelIds: [channel.id], memberIds, acdMaxWaiting: 100_000, greetingMessage: null });
    campaignIds.push(campaign.id);
  }
  // One contact and address per waiting customer, oldest first, one in 17 with priority.
  await db.execute(sql`
    with made as (insert into contacts (name) select 'stress seeded' from generate_series(1, ${QUEUED}) returning id),
         address as (
           insert into contact_addresses (contact_id, channel_id, address)
           select id, ${channel.id}, '+1555' || lpad(id::text, 9, '0') from made returning id, contact_id)
    insert into conversations (channel_id, contact_id, contact_address_id, campaign_id, status, priority, queued_at)
    select ${channel.id}, contact_id, id, (${sql.raw(`array[${campaignIds.join(',')}]`)})[1 + contact_id % ${campaignIds.length}], 'queued',
           case when contact_id % 17 = 0 then 1 else 0 end, clock_timestamp() - make_interval(secs => ${QUEUED} - contact_id)
      from address`);
}

/** The counts line a worker prints at exit (see routing-stress-worker.ts). */
type WorkerCounts = {
  seed: number;
  actions: Record<string, { runs: number; done: number; ms: number }>;
  assignedByChaos: number;
  fed: number;
  expected: Record<string, number>;
  elapsedMs: number;
  fatal: null | { action: string; message: string; stack?: string; cause?: string };
};

/** A child process running the platform's workers plus chaos lanes (test/harness/routing-stress-worker.ts). */
function startWorker(databaseUrl: string, seedValue: number) {
  const child = spawn(
    process.execPath,
    [
      'test/harness/routing-stress-worker.ts',
      ...['--database-url', databaseUrl, '--seed', String(seedValue), '--log-level', process.env.TEST_LOG_LEVEL ?? 'error'],
      ...['--until', JSON.stringify(ENOUGH_WORK), '--stall-ms', String(STALL_MS), '--max-ms', String(MAX_CHAOS_MS)],
    ],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  cleanups.push(async () => void (child.exitCode === null && child.kill('SIGKILL')));
  let counts: WorkerCounts | null = null;
  /** Anything else it printed (its log lines). */
  const output: string[] = [];
  // 'close', not 'exit': every line of its stdout has been read by then.
  const exited = new Promise<{ code: number | null; counts: WorkerCounts | null; output: string[] }>((resolve) =>
    child.once('close', (code) => resolve({ code, counts, output })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = line.startsWith('{"ready"') || line.startsWith('{"routingStress"') ? JSON.parse(line) : null;
      if (message?.ready) resolve();
      else if (message?.routingStress) counts = message.routingStress;
      else output.push(line);
    });
    void exited.then(({ code }) => reject(new Error(`worker ${child.pid} exited (${code}) before it was ready:\n${output.join('\n')}`)));
  });
  return { ready, go: () => child.stdin.end('go\n'), exited };
}

describe('routing under several processes', () => {
  it(
    'never assigns a conversation twice, nor an agent past its limit, nor one who is away',
    async () => {
      const database = await freshDatabase();
      const { db } = database;
      await seed(database);

      const baseSeed = randomInt(1, 1_000_000);
      const workers = Array.from({ length: PROCESSES }, (_, i) => startWorker(database.url, baseSeed + i));
      // The chaos starts when every process runs, and each stops when the shared work is done, so all four overlap throughout.
      await Promise.all(workers.map((worker) => worker.ready));
      for (const worker of workers) worker.go();
      const results = await Promise.all(workers.map((worker) => worker.exited));
      for (const { output } of results) if (output.length) console.warn(`a worker logged:\n${output.slice(0, 20).join('\n')}`);
      for (const result of results) {
        expect(result.counts, `a worker printed no counts:\n${result.output.join('\n')}`).not.toBeNull();
        expect(result.counts!.fatal, `a worker stopped on an unexpected error or stalled work:\n${result.output.join('\n')}`).toBeNull();
        expect(result.code).toBe(0);
      }

      const audit = await auditRouting(db);
      const work = await countRoutingWork(db);
      const [detail] = (await db.execute(sql`
      select (select jsonb_object_agg(via, n) from (select via, count(*)::int as n from conversation_assignments group by via) v) as by_via,
             (select jsonb_object_agg(coalesce(release_reason, 'open'), n)
                from (select release_reason, count(*)::int as n from conversation_assignments group by release_reason) r) as releases,
             (select jsonb_object_agg(name || ':' || state, n)
                from (select name, state, count(*)::int as n from pgboss.job where name like 'routing.%' group by name, state) j) as jobs,
             (select count(*)::int from conversations c
               where exists (select 1 from conversations p where p.contact_id = c.contact_id and p.id < c.id)) as returning_customers,
             (select coalesce(jsonb_agg(jsonb_build_object('queue', name, 'state', state, 'retries', retry_count, 'error', left(output->>'message', 120))), '[]')
                from pgboss.job where name like 'routing.%' and (state = 'failed' or retry_count > 0)) as failed_jobs`)) as unknown as [
        Record<string, unknown>,
      ];
      // The four processes' counts, added up: what each kind of action did, and the refusals they met.
      const actions: Record<string, { runs: number; done: number; avgMs: number; ms: number }> = {};
      const refusals: Record<string, number> = {};
      for (const { counts } of results) {
        for (const [name, tally] of Object.entries(counts!.actions)) {
          let total = actions[name];
          if (!total) {
            total = { runs: 0, done: 0, avgMs: 0, ms: 0 };
            actions[name] = total;
          }
          total.runs += tally.runs;
          total.done += tally.done;
          total.ms += tally.ms;
          total.avgMs = Math.round(total.ms / total.runs);
        }
        for (const [kind, n] of Object.entries(counts!.expected)) refusals[kind] = (refusals[kind] ?? 0) + n;
      }
      const sum = (key: 'assignedByChaos' | 'fed') => results.reduce((total, { counts }) => total + counts![key], 0);
      console.log(
        JSON.stringify({
          routingStress: {
            processes: PROCESSES,
            seconds: Math.max(...results.map(({ counts }) => counts!.elapsedMs)) / 1000,
            seeds: results.map(({ counts }) => counts!.seed),
            ...work,
            ...detail,
            assignedByChaos: sum('assignedByChaos'),
            fed: sum('fed'),
            actions: Object.fromEntries(Object.entries(actions).map(([name, { ms, ...rest }]) => [name, rest])),
            expectedRefusals: refusals,
            violations: audit.violations,
          },
        }),
      );

      expect(audit.violations, JSON.stringify(audit.examples, null, 1)).toEqual(NO_VIOLATIONS);
      // The workers stop only once this is done (else they fail above): the audit covered that much.
      expect(work.assignments).toBeGreaterThanOrEqual(ENOUGH_WORK.assignments);
      expect(work.closes).toBeGreaterThanOrEqual(ENOUGH_WORK.closes);
      expect(work.presenceChanges).toBeGreaterThanOrEqual(ENOUGH_WORK.presenceChanges);
      // Every process took part: each ran its lanes, not only the first to start.
      for (const { counts } of results) expect(Object.values(counts!.actions).reduce((runs, tally) => runs + tally.runs, 0)).toBeGreaterThan(0);
    },
    MAX_CHAOS_MS + 240_000,
  ); // the four platforms' start (a minute and more on a busy machine) and the audit come on top
});

describe('the routing audit', () => {
  it('counts each kind of violation it looks for', async () => {
    const { db } = await freshDatabase();
    const channel = await buildSimulatorChannel(db);
    const agents = (
      (await db.execute(sql`
        insert into users (username, display_name, role, password_hash)
        select 'audit-agent-' || g, 'Agent ' || g, 'agent', 'no-login' from generate_series(1, 3) g returning id`)) as unknown as { id: number }[]
    ).map((row) => row.id);
    const [member, otherMember, outsider] = agents.sort((a, b) => a - b) as [number, number, number];
    const campaign = await buildCampaign(db, { channelIds: [channel.id], memberIds: [member, otherMember], maxInteractionsPerAgent: 1 });
    const at = (second: number) => new Date(Date.UTC(2024, 0, 1, 9, 0, second));
    /** A conversation in the given state (a fresh customer each). */
    const conversation = async (state: { status: 'closed' } | { status: 'assigned'; userId: number }) => {
      const [row] = (await db.execute(sql`
        with contact as (insert into contacts (name) values ('audit') returning id),
             address as (insert into contact_addresses (contact_id, channel_id, address)
                         select id, ${channel.id}, '+1666' || lpad(id::text, 9, '0') from contact returning id, contact_id)
        select id as address_id, contact_id from address`)) as unknown as [{ address_id: number; contact_id: number }];
      const [made] = await db
        .insert(conversations)
        .values({
          channelId: channel.id,
          contactId: row.contact_id,
          contactAddressId: row.address_id,
          campaignId: campaign.id,
          ...(state.status === 'closed'
            ? { status: 'closed', closeReason: 'agent_closed', closedAt: at(59) }
            : { status: 'assigned', assignedUserId: state.userId, assignedAt: at(0) }),
        })
        .returning();
      return made!.id;
    };
    const assignment = (conversationId: number, userId: number, from: number, to: number | null) =>
      db.insert(conversationAssignments).values({
        conversationId,
        userId,
        campaignId: campaign.id,
        via: 'routing',
        activeBefore: 0,
        maxInteractions: 1,
        assignedAt: at(from),
        releasedAt: to === null ? null : at(to),
        releaseReason: to === null ? null : 'closed',
      });
    const expectViolations = async (counts: Partial<Record<AuditCheck, number>>) =>
      expect((await auditRouting(db)).violations).toEqual({ ...NO_VIOLATIONS, ...counts });

    // A clean history: an available member held a conversation, then closed it.
    await db.insert(agentPresenceLog).values({ userId: member, state: 'available', at: at(0) });
    await assignment(await conversation({ status: 'closed' }), member, 1, 2);
    await expectViolations({});

    // 1. Two agents holding one conversation at once.
    const shared = await conversation({ status: 'closed' });
    await assignment(shared, member, 10, 12);
    await assignment(shared, otherMember, 11, 13);
    await expectViolations({ overlapping: 1 });

    // 2. An agent with a limit of one given a second conversation while holding one.
    await assignment(await conversation({ status: 'closed' }), member, 20, 22);
    await assignment(await conversation({ status: 'closed' }), member, 21, 23);
    await expectViolations({ overlapping: 1, overCapacity: 1 });

    // 3. Routing to an agent on a break.
    await db.insert(agentPresenceLog).values({ userId: otherMember, state: 'break', breakName: 'Lunch', at: at(30) });
    await assignment(await conversation({ status: 'closed' }), otherMember, 31, 32);
    await db.insert(agentPresenceLog).values({ userId: otherMember, state: 'available', at: at(33) });
    await expectViolations({ overlapping: 1, overCapacity: 1, notAvailable: 1 });

    // 4. Routing to someone outside the campaign.
    await assignment(await conversation({ status: 'closed' }), outsider, 40, 41);
    await expectViolations({ overlapping: 1, overCapacity: 1, notAvailable: 1, notMember: 1 });

    // 5. A conversation assigned with no open assignment, and an open assignment of a closed conversation.
    await conversation({ status: 'assigned', userId: member });
    await expectViolations({ overlapping: 1, overCapacity: 1, notAvailable: 1, notMember: 1, stateMismatch: 1 });
    await assignment(await conversation({ status: 'closed' }), otherMember, 50, null);
    await expectViolations({ overlapping: 1, overCapacity: 1, notAvailable: 1, notMember: 1, stateMismatch: 2 });
  });
});
