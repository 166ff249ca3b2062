import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { connectDatabase } from '../db/connection.ts';
import { applyMigrations } from '../db/migrate.ts';
import { createLogger } from '../kernel/logger.ts';
import { seedBenchCampaign } from './bench-campaign.ts';
import { benchDatabase } from './bench-database.ts';
import { costPerMessage, createDatabaseProbe, type DatabaseProbe, type Snapshot } from './database-probe.ts';
import { startPlatformProcess, type PlatformProcess } from './platform-process.ts';
import { latencySummary, machineLoad, round, wallClockMs } from './stats.ts';
import { startWebhookLoad, type LoadResult, type WebhookLoad } from './webhook-load.ts';

export type SoakBenchOptions = {
  seconds: number;
  ratePerSecond: number;
  customers: number;
  sampleSeconds: number;
  /** After the last message is offered, how long the backlog may take to empty before the run gives up on it. */
  drainSeconds: number;
  databaseUrl?: string;
};

/** Issue 15: under a steady 100 msg/s the backlog stays bounded, the first reply's p99 under 2 s, and RSS flat. */
const GOAL_P99_MS = 2000;

type Sample = {
  t: number;
  offered: number;
  stored: number;
  answered: number;
  backlog: number;
  answeredPerSecond: number;
  firstReplyMs: { n: number; p50: number | null; p99: number | null };
  rssMb: number | null;
  heapUsedMb: number | null;
  platformCpuPercent: number | null;
  postgresCpuPercent: number | null;
};

/**
 * `soak`: customers write at a steady rate (open loop: a fixed schedule, whatever the answers take)
 * through the simulator webhook to the full platform (a process of its own, `ROLES=http,workers`),
 * whose flow greets every message. Every `sampleSeconds`: the backlog (messages stored, not yet
 * answered), the first reply's latency for the replies sent in that window (from the second the
 * customer wrote, as scheduled, to the reply stored `sent`), the platform's RSS and CPU.
 */
export async function run(options: SoakBenchOptions) {
  const logger = createLogger('warn', pino.destination(2));
  const machineAtStart = machineLoad();
  const database = await benchDatabase('soak', options.databaseUrl, logger, { statStatements: true });
  let seeding: ReturnType<typeof connectDatabase> | null = null;
  let platform: PlatformProcess | null = null;
  let probe: DatabaseProbe | null = null;
  let load: WebhookLoad | null = null;
  try {
    seeding = connectDatabase(database.databaseUrl, { max: 2, applicationName: 'omnichat-bench-seed' });
    await applyMigrations(seeding.sql);
    const { channel } = await seedBenchCampaign(seeding.db, { flow: 'greet' });
    await seeding.close();
    seeding = null;
    platform = await startPlatformProcess({ databaseUrl: database.databaseUrl, roles: 'http,workers' });
    const running = platform;
    probe = await createDatabaseProbe(database.databaseUrl, { nodeCpuMs: () => running.cpuMs() });
    const db = probe;
    load = await startWebhookLoad();
    const idle = await probe.measureIdle();

    const counts = async () => {
      const [row] = await db.sql<{ stored: number; answered: number }[]>`
        select /* bench-probe */ count(*) filter (where direction = 'inbound')::int as stored,
               count(*) filter (where author_type = 'bot' and status = 'sent')::int as answered
          from messages`;
      return row!;
    };
    /**
     * First-reply latencies (ms) of the replies sent after `from` (epoch ms, up to `to`): the k-th bot
     * message of a conversation answers its k-th inbound one (the flow answers each once, in order),
     * whose provider id ends with the epoch ms the customer wrote it (webhook-load.ts; `sim-in-soak-<i>-<ms>`).
     */
    const replyLatencies = async (from: number, to: number) =>
      (
        await db.sql<{ ms: number }[]>`
          with i as (select conversation_id, provider_message_id, row_number() over (partition by conversation_id order by id) as k
                       from messages where direction = 'inbound' and conversation_id is not null),
               b as (select conversation_id, sent_at, row_number() over (partition by conversation_id order by id) as k
                       from messages where author_type = 'bot')
          select /* bench-probe */ (extract(epoch from b.sent_at) * 1000 - (regexp_match(i.provider_message_id, '([0-9]+)$'))[1]::float8)::float8 as ms
            from b join i using (conversation_id, k)
           where b.sent_at > to_timestamp(${from / 1000}) and b.sent_at <= to_timestamp(${to / 1000})`
      ).map((row) => row.ms);

    await probe.resetStatements();
    const before = await probe.snapshot();
    const startedAt = wallClockMs();
    let loadResult: LoadResult | null = null;
    let loadError: unknown = null;
    const loading = load
      .run({
        mode: 'open',
        url: running.url!,
        channelId: channel.id,
        signingKey: channel.signingKey,
        customers: options.customers,
        idPrefix: 'soak',
        ratePerSecond: options.ratePerSecond,
        seconds: options.seconds,
      })
      .then(
        (result) => (loadResult = result),
        (error: unknown) => (loadError = error),
      );

    const samples: Sample[] = [];
    let last = { at: startedAt, answered: 0, snapshot: before as Snapshot };
    let done: Snapshot | null = null;
    let drainedAt: number | null = null;
    const total = Math.round(options.ratePerSecond * options.seconds);
    const deadline = startedAt + (options.seconds + options.drainSeconds) * 1000;
    for (let next = startedAt + options.sampleSeconds * 1000; ; ) {
      await sleep(Math.max(0, Math.min(1000, next - wallClockMs(), deadline - wallClockMs())));
      if (loadError) throw loadError;
      const now = wallClockMs();
      const count = await counts();
      const offeredAll = loadResult !== null;
      const emptied = offeredAll && count.stored >= (loadResult as LoadResult | null)!.ok && count.answered >= count.stored;
      if (now >= next || emptied || now >= deadline) {
        const snapshot = await probe.snapshot();
        const latencies = await replyLatencies(last.at, now);
        const seconds = (now - last.at) / 1000;
        const memory = await running.memory().catch(() => null);
        const sample: Sample = {
          t: round((now - startedAt) / 1000, 1)!,
          offered: Math.min(total, Math.floor(((now - startedAt) / 1000) * options.ratePerSecond)),
          stored: count.stored,
          answered: count.answered,
          backlog: count.stored - count.answered,
          answeredPerSecond: Math.round((count.answered - last.answered) / seconds),
          firstReplyMs: (({ n, p50, p99 }) => ({ n, p50, p99 }))(latencySummary(latencies, 0)),
          rssMb: round(running.rssMb(), 0),
          heapUsedMb: memory ? round(memory.heapUsed / 2 ** 20, 0) : null,
          platformCpuPercent: round(((snapshot.nodeCpuMs - last.snapshot.nodeCpuMs) / (seconds * 1000)) * 100, 0),
          postgresCpuPercent: probe.postgres ? round(((snapshot.postgresCpuMs - last.snapshot.postgresCpuMs) / (seconds * 1000)) * 100, 0) : null,
        };
        samples.push(sample);
        process.stderr.write(`soak ${JSON.stringify(sample)}\n`);
        last = { at: now, answered: count.answered, snapshot };
        next += options.sampleSeconds * 1000;
        if (emptied) {
          drainedAt = now;
          done = snapshot;
          break;
        }
        if (now >= deadline) {
          done = snapshot;
          break;
        }
      }
    }
    await loading;
    if (loadError) throw loadError;
    const offered = loadResult as unknown as LoadResult;
    const statements = await probe.statements();
    const all = await replyLatencies(startedAt - 60_000, wallClockMs() + 60_000);
    const final = await counts();
    // Every backend of the platform gone (each flushes its statistics as it exits): the commit count is whole.
    await platform.stop();
    platform = null;
    await probe.waitForNoOtherBackends(60_000);
    const after = await probe.snapshot({ flushOwn: true });
    const costs = costPerMessage({
      messages: final.answered,
      before,
      done: done!,
      after,
      statements,
      idle,
      statStatements: probe.statStatements,
      postgres: probe.postgres,
    });

    const during = samples.filter((sample) => sample.t <= options.seconds + 0.5);
    const half = Math.floor(during.length / 2);
    const maxBacklog = (list: Sample[]) => Math.max(0, ...list.map((sample) => sample.backlog));
    const firstHalfMax = maxBacklog(during.slice(0, half));
    const secondHalfMax = maxBacklog(during.slice(half));
    // Bounded: the second half of the offered load never held more than the first half did, plus one second of load.
    const bounded = secondHalfMax <= firstHalfMax + options.ratePerSecond;
    const firstReply = latencySummary(all, 0);
    const rss = samples.map((sample) => sample.rssMb).filter((value): value is number => value !== null);
    const rssFirst = rss[0] ?? null;
    // The first samples include the heap's warm-up: flat is judged from a quarter of the way in.
    const rssAfterWarmUp = during.find((sample) => sample.t >= options.seconds / 4)?.rssMb ?? null;
    const rssLast = during.at(-1)?.rssMb ?? null;
    return {
      bench: 'soak',
      seconds: options.seconds,
      ratePerSecond: options.ratePerSecond,
      customers: options.customers,
      flow: 'greet (every message answered by one greeting, no typing delay)',
      platform: 'a process of its own, ROLES=http,workers',
      machine: { atStart: machineAtStart, atEnd: machineLoad() },
      offered: {
        sent: offered.sent,
        accepted: offered.ok,
        failed: offered.failed,
        ...(offered.failed ? { statuses: offered.statuses, errors: offered.errors, firstError: offered.firstError } : {}),
        webhookMs: { p50: offered.latencyMs.p50, p99: offered.latencyMs.p99, max: offered.latencyMs.max },
        scheduleLagMs: offered.open,
      },
      samples,
      summary: {
        backlog: {
          bounded,
          firstHalfMax,
          secondHalfMax,
          atEndOfLoad: during.at(-1)?.backlog ?? null,
          drainedSecondsAfterLoad: drainedAt === null ? null : round((drainedAt - startedAt) / 1000 - options.seconds, 1),
          leftUnanswered: final.stored - final.answered,
        },
        firstReplyMs: firstReply,
        rssMb: {
          first: rssFirst,
          afterWarmUp: rssAfterWarmUp,
          last: rssLast,
          max: rss.length ? Math.max(...rss) : null,
          growth: rssFirst === null || rssLast === null ? null : rssLast - rssFirst,
        },
      },
      goals: {
        backlog: `bounded: ${bounded ? 'met' : 'not met'}`,
        firstReplyP99: `< ${GOAL_P99_MS} ms: ${firstReply.p99 !== null && firstReply.p99 < GOAL_P99_MS && final.answered === final.stored ? 'met' : 'not met'}`,
        rss: `flat (last within 10% of afterWarmUp): ${rssAfterWarmUp !== null && rssLast !== null && rssLast <= rssAfterWarmUp * 1.1 ? 'met' : 'not met'}`,
      },
      perMessage: costs.perMessage,
      topStatements: costs.topStatements,
      measured: costs.measured,
      idlePerSecond: costs.idlePerSecond,
    };
  } finally {
    await load?.close();
    await platform?.stop();
    await probe?.close();
    await seeding?.close();
    await database.drop();
  }
}
