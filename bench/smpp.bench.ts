import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import postgres from 'postgres';
import { connectDatabase } from '../db/connection.ts';
import { applyMigrations } from '../db/migrate.ts';
import { smppSettingsSchema } from '../gateway/smpp/smpp-settings.ts';
import { loadConfig, type Config } from '../kernel/config.ts';
import { createLogger, type Logger } from '../kernel/logger.ts';
import { startPlatform } from '../server/platform.ts';
import { benchDatabase } from './bench-database.ts';
import { feedMtbatch, feedSendsms, kannelAvailable, startKannel } from './kannel.ts';
import { postgresServerCpu } from './proc-cpu.ts';
import { startSmppSink, wallClockMs, type SmppSink } from './smpp-sink.ts';

export type SmppBenchOptions = {
  rows: number;
  /** SMPP windows to compare at (the channel's windowSize, Kannel's max-pending-submits). */
  windows: number[];
  /** The dialer's batch size (rows claimed at once). */
  batchSize: number;
  /** sendsms requests in flight at once when feeding Kannel. */
  httpConcurrency: number;
  databaseUrl: string | undefined;
};

/** The channel's rate, set in SQL: the channel API caps sendsPerSecond at 1000 (gateway/channel-commands.ts). */
const SENDS_PER_SECOND = 1_000_000;
const SENDER = '59820000000';
/** PostgreSQL flushes a backend's statistics at most once a second, and an idle backend's within 10 s (PGSTAT_IDLE_INTERVAL). */
const STATS_SETTLE_MS = 11_000;
/**
 * The idle window that measures background work to subtract from the run: pg-boss polling, lease
 * renewals, heartbeats, and pg-boss's monitor pass over every queue (a transaction per queue every
 * 15 s, kernel/job-queue.ts), which a window of one whole period counts once.
 */
const IDLE_MS = 15_000;
const STALL_MS = 60_000;
const SESSION_OPEN_TIMEOUT_MS = 30_000;

/** Message i's number as SMPP carries it (the spool holds the national 099…, read as UY) and its text; the seed's SQL builds the same. */
const international = (i: number) => `59899${String(i % 1_000_000).padStart(6, '0')}`;
const text = (i: number) => `Omnichat bench message ${i}: your code is ${(i * 7919) % 100_000}`;

const round = (value: number, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

/**
 * `smpp`: bulk SMS over a real SMPP bind, the platform's dialer on an `smpp` channel against Kannel,
 * both sending to the same SMSC (a sink in a process of its own that answers every submit_sm at once),
 * at each window size, back to back. Both must deliver exactly `rows` distinct messages to the sink.
 * The ratio (platform / Kannel) is the figure; per-message counts (commits, statements, WAL bytes,
 * CPU) of the platform run are what no noise blurs.
 */
export async function run(options: SmppBenchOptions) {
  // The platform logs to stderr: stdout carries the JSON line only.
  const logger = createLogger('warn', pino.destination(2));
  const kannel = kannelAvailable();
  const database = await benchDatabase('smpp', options.databaseUrl, logger, { statStatements: true });
  const config = loadConfig({
    ROLES: 'workers,session-channels',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    DATA_DIR: '/tmp/omnichat-bench-data',
  });
  let sink: SmppSink | null = null;
  let seeding: ReturnType<typeof connectDatabase> | null = null;
  let probe: Probe | null = null;
  try {
    sink = await startSmppSink();
    seeding = connectDatabase(database.databaseUrl, { max: 2, applicationName: 'omnichat-bench-seed' });
    await applyMigrations(seeding.sql);
    const [campaign] = await seeding.sql<{ id: number }[]>`insert into campaigns (name) values ('smpp bench') returning id`;
    probe = await createProbe(database.databaseUrl, sink);
    const windows: Record<string, unknown> = {};
    for (const window of options.windows) {
      const platform = await platformRun({
        ...options,
        window,
        config,
        campaignId: campaign!.id,
        seeding: seeding.sql,
        probe,
        sink,
        logger,
        databaseUrl: database.databaseUrl,
      });
      let kannelResult: Record<string, unknown> & { messagesPerSecond?: number };
      let other: Record<string, unknown> | undefined;
      if (!kannel.ok) kannelResult = { skipped: kannel.reason };
      else {
        const http = await kannelRun({ rows: options.rows, window, sink, feed: 'http', httpConcurrency: options.httpConcurrency });
        const batch = kannel.mtbatch ? await kannelRun({ rows: options.rows, window, sink, feed: 'mtbatch', httpConcurrency: options.httpConcurrency }) : null;
        kannelResult = batch && batch.messagesPerSecond > http.messagesPerSecond ? batch : http;
        other = batch ? (kannelResult === batch ? http : batch) : undefined;
      }
      windows[String(window)] = {
        platform,
        kannel: kannelResult,
        ...(other
          ? {
              kannelOtherFeed: {
                feed: other.feed,
                messagesPerSecond: other.messagesPerSecond,
                seconds: other.seconds,
                firstSubmitSeconds: other.firstSubmitSeconds,
                verified: other.verified,
              },
            }
          : {}),
        ratio: kannelResult.messagesPerSecond ? round(platform.messagesPerSecond / kannelResult.messagesPerSecond, 3) : null,
      };
    }
    return {
      bench: 'smpp',
      rows: options.rows,
      windows,
      dialer: { batchSize: options.batchSize, concurrency: config.dialerConcurrency, timeBetweenMessagesMs: 0 },
      channelSendsPerSecond: { value: SENDS_PER_SECOND, note: 'set with SQL on channels.sends_per_second: the channel API caps it at 1000' },
      kannelFeed: kannel.ok
        ? `sendsms over HTTP (${options.httpConcurrency} keep-alive requests in flight)${kannel.mtbatch ? ' and mtbatch (one text to every receiver); `kannel` is the faster' : ''}`
        : 'skipped',
      statStatements: probe.statStatements ? 'pg_stat_statements' : 'unavailable (not in shared_preload_libraries): statements per message skipped',
    };
  } finally {
    await probe?.close();
    await seeding?.close();
    await sink?.close();
    await database.drop();
  }
}

// ---------------------------------------------------------------------------------------------
// The platform

type PlatformRunOptions = SmppBenchOptions & {
  window: number;
  config: Config;
  campaignId: number;
  seeding: postgres.Sql;
  probe: Probe;
  sink: SmppSink;
  logger: Logger;
  databaseUrl: string;
};

/**
 * One window on the platform: a fresh smpp channel bound to the sink and a dialer with `rows` waiting
 * rows (the previous window's channel disabled and its rows deleted), the real platform with the
 * `workers` and `session-channels` roles (the dialer runner sends through the session manager's
 * bind), started once the bind is open; timed from the dialer's start (database clock) to the last
 * outcome stored (`max(processed_at)`).
 */
async function platformRun(options: PlatformRunOptions) {
  const { seeding, probe, sink, rows } = options;
  await seeding`update channels set enabled = false where type = 'smpp'`;
  await seeding`update dialers set running = false, enabled = false`;
  await seeding`delete from spool`;
  const settings = smppSettingsSchema.parse({ host: '127.0.0.1', port: sink.port, systemId: 'bench', windowSize: options.window });
  const [channel] = await seeding<{ id: number }[]>`
    insert into channels (name, type, address, default_country, settings, secrets, sends_per_second)
    values (${`smpp sink window ${options.window} (${Date.now()})`}, 'smpp', ${`+${SENDER}`}, 'UY', ${JSON.stringify(settings)}::text::jsonb, ${JSON.stringify({ password: 'bench' })}::text::jsonb, ${SENDS_PER_SECOND})
    returning id`;
  const [dialer] = await seeding<{ id: number }[]>`
    insert into dialers (name, channel_id, enabled, running, time_between_messages_ms, batch_size, dncr_check)
    values (${`smpp bench window ${options.window} (${Date.now()})`}, ${channel!.id}, true, false, 0, ${options.batchSize}, true) returning id`;
  await seeding`
    insert into spool (dialer_id, campaign_id, destination, message, priority)
    select ${dialer!.id}, ${options.campaignId}, '099' || lpad((n % 1000000)::text, 6, '0'),
           'Omnichat bench message ' || n || ': your code is ' || ((n * 7919) % 100000), 0
      from generate_series(1, ${rows}) n`;
  await seeding`vacuum analyze spool, channels, dialers`;
  await sink.reset();

  const platform = await startPlatform({ config: options.config, logger: options.logger, databaseUrl: options.databaseUrl });
  let running = true;
  try {
    await probe.waitForSessionOpen(channel!.id, SESSION_OPEN_TIMEOUT_MS);
    // What the platform's start wrote is flushed into pg_stat_database by now; then a quiet window
    // measures what runs without any message (pg-boss polling, lease renewals, heartbeats).
    await sleep(STATS_SETTLE_MS);
    await probe.resetStatements();
    const idleFrom = await probe.snapshot();
    await sleep(IDLE_MS);
    const idleTo = await probe.snapshot();
    const idleStatements = await probe.statements();
    const idle = rates(idleFrom, idleTo, idleStatements.total);

    await probe.resetStatements();
    const before = await probe.snapshot();
    const startedAt = await probe.startDialer(dialer!.id);
    const stored = await probe.waitForSpool(dialer!.id, rows, STALL_MS);
    const done = await probe.snapshot();
    const statements = await probe.statements();
    const seconds = await probe.secondsSince(dialer!.id, startedAt.at);
    const atSink = await sink.counts();
    // Every backend of the platform gone (each flushes its statistics as it exits): the commit count is whole.
    await platform.stop();
    running = false;
    await probe.waitForNoOtherBackends(30_000);
    const after = await probe.snapshot({ flushOwn: true });

    const windowSeconds = (done.at - before.at) / 1000;
    const commitSeconds = (after.at - before.at) / 1000;
    const rawCommits = after.commits - before.commits - (after.ownStatements - before.ownStatements);
    const perMessage = (value: number, digits: number) => round(value / rows, digits);
    const messagesPerSecond = Math.round(rows / seconds);
    return {
      messagesPerSecond,
      seconds: round(seconds),
      // The database's clock and the sink's are the same machine's clock.
      firstSubmitSeconds: atSink.firstAt === null ? null : round((atSink.firstAt - startedAt.epochMs) / 1000, 3),
      sent: atSink.submits,
      distinct: atSink.distinct,
      duplicates: atSink.duplicates,
      stored,
      verified: atSink.distinct === rows && atSink.duplicates === 0 && stored.sent === rows,
      // Each net of what the same seconds cost idle (idlePerSecond), and of the bench's own statements.
      perMessage: {
        commits: perMessage(rawCommits - idle.commitsPerSecond * commitSeconds, 4),
        statements: probe.statStatements ? perMessage(statements.total - idle.statementsPerSecond * windowSeconds, 4) : null,
        walBytes: perMessage(done.walBytes - before.walBytes - idle.walBytesPerSecond * windowSeconds, 0),
        platformCpuMs: perMessage(done.platformCpuMs - before.platformCpuMs - idle.platformCpuMsPerSecond * windowSeconds, 3),
        postgresCpuMs: probe.postgres ? perMessage(done.postgresCpuMs - before.postgresCpuMs - idle.postgresCpuMsPerSecond * windowSeconds, 3) : null,
        sinkCpuMs: perMessage(done.sinkCpuMs - before.sinkCpuMs, 3),
      },
      // The same before subtracting idle work: commits from the start until the stopped platform's last
      // backend exited, statements from the start to the last outcome stored.
      measured: {
        commitSeconds: round(commitSeconds),
        commits: rawCommits,
        statementSeconds: round(windowSeconds),
        statements: probe.statStatements ? statements.total : null,
      },
      topStatements: statements.top.map((statement) => ({ perMessage: perMessage(statement.calls, 4), query: statement.query })),
      idlePerSecond: {
        commits: round(idle.commitsPerSecond, 1),
        statements: probe.statStatements ? round(idle.statementsPerSecond, 1) : null,
        walBytes: Math.round(idle.walBytesPerSecond),
        platformCpuMs: round(idle.platformCpuMsPerSecond, 1),
        postgresCpuMs: probe.postgres ? round(idle.postgresCpuMsPerSecond, 1) : null,
      },
    };
  } finally {
    if (running) await platform.stop();
  }
}

type Snapshot = {
  at: number;
  commits: number;
  walBytes: number;
  platformCpuMs: number;
  postgresCpuMs: number;
  sinkCpuMs: number;
  /** Statements this probe had sent before this snapshot's own (its own commit counts after it). */
  ownStatements: number;
};

function rates(from: Snapshot, to: Snapshot, statements: number) {
  const seconds = (to.at - from.at) / 1000;
  return {
    commitsPerSecond: (to.commits - from.commits - (to.ownStatements - from.ownStatements)) / seconds,
    statementsPerSecond: statements / seconds,
    walBytesPerSecond: (to.walBytes - from.walBytes) / seconds,
    platformCpuMsPerSecond: (to.platformCpuMs - from.platformCpuMs) / seconds,
    postgresCpuMsPerSecond: (to.postgresCpuMs - from.postgresCpuMs) / seconds,
  };
}

type Probe = Awaited<ReturnType<typeof createProbe>>;

/**
 * The bench's one connection in the measured windows. Its statements carry `bench-probe` (left out of
 * pg_stat_statements figures) and are counted (taken out of the commit count).
 */
async function createProbe(databaseUrl: string, sink: SmppSink) {
  let sent = 0;
  const sql = postgres(databaseUrl, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: 'omnichat-bench-probe' },
    debug: () => {
      sent++;
    },
  });
  // Present only when the server preloads it (bench-database.ts does for the embedded one).
  const statStatements = await sql`create extension if not exists pg_stat_statements`
    .then(() => sql`select /* bench-probe */ 1 from pg_stat_statements limit 1`)
    .then(
      () => true,
      () => false,
    );
  const [backend] = await sql<{ pid: number }[]>`select /* bench-probe */ pg_backend_pid() as pid`;
  const postgresCpu = postgresServerCpu(backend!.pid);
  const lsnBytes = (lsn: string) => {
    const [high, low] = lsn.split('/') as [string, string];
    return Number((BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`));
  };

  return {
    statStatements,
    postgres: postgresCpu !== null,
    /** `flushOwn`: the probe's own pending statistics go out first, so its statements are all counted. */
    async snapshot(options: { flushOwn?: boolean } = {}): Promise<Snapshot> {
      if (options.flushOwn) await sql`select /* bench-probe */ pg_stat_force_next_flush()`;
      const ownStatements = sent;
      const [row] = await sql<{ commits: string; lsn: string }[]>`
        select /* bench-probe */ xact_commit::text as commits, pg_current_wal_lsn()::text as lsn from pg_stat_database where datname = current_database()`;
      const cpu = process.cpuUsage();
      const sinkCpuMs = (await sink.counts()).cpuMs;
      return {
        at: performance.now(),
        commits: Number(row!.commits),
        walBytes: lsnBytes(row!.lsn),
        platformCpuMs: (cpu.user + cpu.system) / 1000,
        postgresCpuMs: postgresCpu?.cpuMs() ?? Number.NaN,
        sinkCpuMs,
        ownStatements,
      };
    },
    async resetStatements() {
      if (statStatements) await sql`select /* bench-probe */ pg_stat_statements_reset(0, (select oid from pg_database where datname = current_database()), 0)`;
    },
    /** Top-level statements of this database since the last reset (not the probe's), the most called first. */
    async statements(): Promise<{ total: number; top: { calls: number; query: string }[] }> {
      if (!statStatements) return { total: 0, top: [] };
      const rows = await sql<{ calls: number; query: string }[]>`
        select /* bench-probe */ calls::int as calls, regexp_replace(query, '\\s+', ' ', 'g') as query from pg_stat_statements
         where dbid = (select oid from pg_database where datname = current_database()) and query not like '%bench-probe%'
         order by calls desc`;
      return {
        total: rows.reduce((sum, row) => sum + row.calls, 0),
        top: rows.slice(0, 8).map((row) => ({ calls: row.calls, query: row.query.length > 140 ? `${row.query.slice(0, 137)}...` : row.query })),
      };
    },
    async waitForSessionOpen(channelId: number, timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [lease] = await sql<{ state: string; detail: string | null }[]>`
          select /* bench-probe */ state, detail from channel_leases where channel_id = ${channelId}`;
        if (lease?.state === 'open') return;
        if (Date.now() > deadline)
          throw new Error(
            `the smpp channel's session did not open within ${timeoutMs / 1000} s: ${lease ? `${lease.state} (${lease.detail})` : 'no lease taken'}`,
          );
        await sleep(50);
      }
    },
    /** Starts the dialer (and wakes the runners); answers the database clock at the start. */
    async startDialer(dialerId: number): Promise<{ at: string; epochMs: number }> {
      const [row] = await sql<{ at: string; epochMs: number }[]>`
        update /* bench-probe */ dialers set running = true where id = ${dialerId}
        returning clock_timestamp()::text as at, (extract(epoch from clock_timestamp()) * 1000)::float8 as "epochMs"`;
      await sql`select /* bench-probe */ pg_notify('omnichat_dialer', ${String(dialerId)})`;
      return row!;
    },
    /** Polls the spool's counters (kept by triggers) until no row waits; fails after `stallMs` without progress. */
    async waitForSpool(dialerId: number, rows: number, stallMs: number) {
      let handled = -1;
      let changedAt = performance.now();
      for (;;) {
        const [counts] = await sql<{ sent: number; failed: number; other: number; blocked: number; waiting: number }[]>`
          select /* bench-probe */ coalesce(sum(count) filter (where state = 2), 0)::int as sent, coalesce(sum(count) filter (where state = 5), 0)::int as failed,
                 coalesce(sum(count) filter (where state = 4), 0)::int as other, coalesce(sum(count) filter (where state = 3), 0)::int as blocked,
                 coalesce(sum(count) filter (where state = 1), 0)::int as waiting
            from spool_counts where dialer_id = ${dialerId}`;
        const done = counts!.sent + counts!.failed + counts!.other + counts!.blocked;
        if (done >= rows) return counts!;
        if (done !== handled) {
          handled = done;
          changedAt = performance.now();
        } else if (performance.now() - changedAt > stallMs) {
          const errors = await sql<{ error: string; rows: number }[]>`
            select /* bench-probe */ error, count(*)::int as rows from spool where dialer_id = ${dialerId} and error is not null group by error order by 2 desc limit 3`;
          throw new Error(
            `the dialer made no progress for ${stallMs / 1000} s: ${JSON.stringify(counts)}${errors.length ? `; row errors: ${JSON.stringify(errors)}` : ''}`,
          );
        }
        await sleep(100);
      }
    },
    /** From the start to the last outcome stored, on the database clock. */
    async secondsSince(dialerId: number, startedAt: string): Promise<number> {
      const [row] = await sql<{ seconds: number }[]>`
        select /* bench-probe */ extract(epoch from max(processed_at) - ${startedAt}::timestamptz)::float8 as seconds from spool where dialer_id = ${dialerId}`;
      return row!.seconds;
    },
    async waitForNoOtherBackends(timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [row] = await sql<{ others: number }[]>`
          select /* bench-probe */ count(*)::int as others from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()
             and application_name <> 'omnichat-bench-seed'`;
        if (row!.others === 0) return;
        if (Date.now() > deadline) throw new Error(`${row!.others} connection(s) of the stopped platform still open after ${timeoutMs / 1000} s`);
        await sleep(50);
      }
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

// ---------------------------------------------------------------------------------------------
// Kannel

/**
 * One window on Kannel: a fresh bearerbox + smsbox bound to the sink with `max-pending-submits` = the
 * window, fed `rows` messages over sendsms (HTTP) or mtbatch; timed from the first request to the sink
 * holding `rows` distinct messages. Kannel's CPU is bearerbox's and smsbox's (from /proc).
 */
async function kannelRun(options: { rows: number; window: number; sink: SmppSink; feed: 'http' | 'mtbatch'; httpConcurrency: number }) {
  const { rows, sink } = options;
  await sink.reset();
  const kannel = await startKannel({ sinkPort: sink.port, window: options.window });
  try {
    const kannelCpu = kannel.cpuMs();
    const feederCpu = process.cpuUsage();
    const sinkCpu = (await sink.counts()).cpuMs;
    const abort = new AbortController();
    const startedAt = wallClockMs();
    const arrived = sink.waitForDistinct(rows, STALL_MS, abort.signal);
    const fed = (async () => {
      if (options.feed === 'http') {
        return feedSendsms(
          kannel,
          { count: rows, from: SENDER, to: (i) => international(i + 1), text: (i) => text(i + 1) },
          options.httpConcurrency,
          abort.signal,
        );
      }
      await feedMtbatch(kannel, { count: rows, from: SENDER, to: (i) => international(i + 1), text: text(0) });
      return { retried: 0 };
    })();
    let reached: Awaited<typeof arrived>;
    let feed: Awaited<typeof fed>;
    try {
      [reached, feed] = await Promise.all([arrived, fed]);
    } catch (error) {
      abort.abort(error);
      await Promise.allSettled([arrived, fed]);
      throw new Error(`Kannel (${options.feed}, window ${options.window}): ${error instanceof Error ? error.message : String(error)}\n${kannel.logTail()}`, {
        cause: error,
      });
    }
    const feederCpuMs = (() => {
      const used = process.cpuUsage(feederCpu);
      return (used.user + used.system) / 1000;
    })();
    const kannelCpuMs = kannel.cpuMs() - kannelCpu;
    const seconds = (reached.at - startedAt) / 1000;
    // Anything Kannel resends (a lost response, a reconnect) reaches the sink before bearerbox's queue is empty.
    const status = await kannel.drained(rows, 60_000);
    const atSink = await sink.counts();
    return {
      feed: options.feed,
      messagesPerSecond: Math.round(rows / seconds),
      seconds: round(seconds),
      firstSubmitSeconds: atSink.firstAt === null ? null : round((atSink.firstAt - startedAt) / 1000, 3),
      sent: atSink.submits,
      distinct: atSink.distinct,
      duplicates: atSink.duplicates,
      verified: atSink.distinct === rows && atSink.duplicates === 0,
      kannelCounts: { smscSent: status.smscSent, smscFailed: status.smscFailed },
      ...(options.feed === 'http' ? { httpRetried: feed.retried, httpConcurrency: options.httpConcurrency } : {}),
      perMessage: {
        kannelCpuMs: round(kannelCpuMs / rows, 3),
        feederCpuMs: options.feed === 'http' ? round(feederCpuMs / rows, 3) : null,
        sinkCpuMs: round((atSink.cpuMs - sinkCpu) / rows, 3),
      },
    };
  } finally {
    await kannel.stop();
  }
}
