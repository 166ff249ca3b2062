import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { postgresServerCpu } from './proc-cpu.ts';
import { round } from './stats.ts';

/**
 * What a run costs the database, counted the way bench/smpp.bench.ts does, for benches that push
 * messages through the platform: commits (`pg_stat_database.xact_commit`), top-level statements
 * (`pg_stat_statements`, when the server preloads it: `benchDatabase(…, { statStatements: true })`),
 * WAL bytes, the platform's Node CPU (`nodeCpuMs`: its own process or a child's, from /proc) and the
 * PostgreSQL server's CPU (/proc, null for a remote server).
 *
 * The probe's own statements carry `bench-probe` (left out of the statement figures) and are counted
 * (taken out of the commit count); every query a bench sends through `probe.sql` must carry it too.
 */
export type Snapshot = {
  at: number;
  commits: number;
  walBytes: number;
  nodeCpuMs: number;
  postgresCpuMs: number;
  /** Statements this probe had sent before this snapshot's own (its own commit counts after it). */
  ownStatements: number;
};

export type IdleRates = {
  commitsPerSecond: number;
  statementsPerSecond: number;
  transactionsPerSecond: number;
  walBytesPerSecond: number;
  nodeCpuMsPerSecond: number;
  postgresCpuMsPerSecond: number;
};

export type StatementCounts = {
  /** Every statement clients sent the database since the last reset, but the probe's (each BEGIN's end counted: see `transactions`). */
  total: number;
  /** Of which BEGIN, COMMIT, ROLLBACK, SAVEPOINT and RELEASE. */
  transactionControl: number;
  /**
   * Explicit transactions (BEGIN), each counted with one COMMIT or ROLLBACK to end it: postgres.js sends
   * `commit` as a prepared statement, and pg_stat_statements counts a prepared utility statement on
   * its first execution on a connection only, so it misses most COMMITs. Autocommitted statements are
   * transactions too (in `pg_stat_database.xact_commit`), not here.
   */
  transactions: number;
  /**
   * Not in `total`: the checks of deferred foreign keys (pg-boss's jobs reference their queue) that
   * PostgreSQL runs itself at COMMIT, which pg_stat_statements counts as top-level statements.
   */
  foreignKeyChecks: number;
  /** The most called, as pg_stat_statements counts them (foreign-key checks in, COMMITs mostly out). */
  top: { calls: number; meanMs: number; query: string }[];
};

/** PostgreSQL flushes a backend's statistics at most once a second, and an idle backend's within 10 s (PGSTAT_IDLE_INTERVAL). */
export const STATS_SETTLE_MS = 11_000;
/**
 * The idle window: pg-boss polling, heartbeats, the socket.io adapter's heartbeats and pg-boss's
 * monitor pass over every queue (every 15 s, kernel/job-queue.ts), which a window of one period counts once.
 */
export const IDLE_MS = 15_000;

const BEGIN = /^\s*(begin|start transaction)\b/i;
const END = /^\s*(commit|end|rollback(?!\s+to\b))\b/i;
const SAVEPOINTS = /^\s*(savepoint|release|rollback\s+to)\b/i;
/** The statement of a foreign key's check (ri_triggers.c), as pg_stat_statements normalizes it. */
const FOREIGN_KEY_CHECK = /^SELECT \$?\d+ FROM ONLY \S+ x WHERE .* FOR KEY SHARE OF x$/;

/** A statement short enough to read in a JSON line: long column and value lists become `…`. */
export function compactQuery(query: string, length = 200): string {
  const compact = query
    .replace(/("[^"]+"(\."[^"]+")?(\s+as\s+"[^"]+")?,\s*){3,}"[^"]+"(\."[^"]+")?(\s+as\s+"[^"]+")?/g, '…')
    .replace(/\((\$\d+|default)(,\s*(\$\d+|default)){3,}\)/g, '(…)');
  return compact.length > length ? `${compact.slice(0, length - 3)}...` : compact;
}

export type DatabaseProbe = Awaited<ReturnType<typeof createDatabaseProbe>>;

export async function createDatabaseProbe(databaseUrl: string, options: { nodeCpuMs: () => number; top?: number }) {
  let sent = 0;
  const sql = postgres(databaseUrl, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: 'omnichat-bench-probe' },
    debug: () => {
      sent++;
    },
  });
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

  const probe = {
    sql,
    statStatements,
    postgres: postgresCpu !== null,
    /** `flushOwn`: the probe's own pending statistics go out first, so its statements are all counted. */
    async snapshot(snapshotOptions: { flushOwn?: boolean } = {}): Promise<Snapshot> {
      if (snapshotOptions.flushOwn) await sql`select /* bench-probe */ pg_stat_force_next_flush()`;
      const ownStatements = sent;
      const [row] = await sql<{ commits: string; lsn: string }[]>`
        select /* bench-probe */ xact_commit::text as commits, pg_current_wal_lsn()::text as lsn from pg_stat_database where datname = current_database()`;
      return {
        at: performance.now(),
        commits: Number(row!.commits),
        walBytes: lsnBytes(row!.lsn),
        nodeCpuMs: options.nodeCpuMs(),
        postgresCpuMs: postgresCpu?.cpuMs() ?? Number.NaN,
        ownStatements,
      };
    },
    async resetStatements() {
      if (statStatements) await sql`select /* bench-probe */ pg_stat_statements_reset(0, (select oid from pg_database where datname = current_database()), 0)`;
    },
    /** Top-level statements of this database since the last reset (not the probe's), the most called first. */
    async statements(): Promise<StatementCounts> {
      if (!statStatements) return { total: 0, transactionControl: 0, transactions: 0, foreignKeyChecks: 0, top: [] };
      const rows = await sql<{ calls: number; meanMs: number; query: string }[]>`
        select /* bench-probe */ calls::int as calls, mean_exec_time::float8 as "meanMs", regexp_replace(query, '\\s+', ' ', 'g') as query from pg_stat_statements
         where dbid = (select oid from pg_database where datname = current_database()) and toplevel and query not like '%bench-probe%'
         order by calls desc`;
      const calls = (filter: (query: string) => boolean) => rows.filter((row) => filter(row.query)).reduce((sum, row) => sum + row.calls, 0);
      const transactions = calls((query) => BEGIN.test(query));
      const ends = calls((query) => END.test(query));
      return {
        total: calls((query) => !FOREIGN_KEY_CHECK.test(query)) - ends + transactions,
        transactionControl: 2 * transactions + calls((query) => SAVEPOINTS.test(query)),
        transactions,
        foreignKeyChecks: calls((query) => FOREIGN_KEY_CHECK.test(query)),
        top: rows.slice(0, options.top ?? 12).map((row) => ({ calls: row.calls, meanMs: round(row.meanMs, 3)!, query: compactQuery(row.query) })),
      };
    },
    /**
     * What the platform costs doing nothing, per second: waits `settleMs` (what it did before is
     * flushed into pg_stat_database by then), then counts for `idleMs`.
     */
    async measureIdle(settleMs = STATS_SETTLE_MS, idleMs = IDLE_MS): Promise<IdleRates> {
      await sleep(settleMs);
      await probe.resetStatements();
      const from = await probe.snapshot();
      await sleep(idleMs);
      const to = await probe.snapshot();
      const statements = await probe.statements();
      const seconds = (to.at - from.at) / 1000;
      return {
        commitsPerSecond: (to.commits - from.commits - (to.ownStatements - from.ownStatements)) / seconds,
        statementsPerSecond: statements.total / seconds,
        transactionsPerSecond: statements.transactions / seconds,
        walBytesPerSecond: (to.walBytes - from.walBytes) / seconds,
        nodeCpuMsPerSecond: (to.nodeCpuMs - from.nodeCpuMs) / seconds,
        postgresCpuMsPerSecond: (to.postgresCpuMs - from.postgresCpuMs) / seconds,
      };
    },
    /** Waits until no connection but the probe's (and those of `except` application names) is open on the database. */
    async waitForNoOtherBackends(timeoutMs: number, except: string[] = []) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const [row] = await sql<{ others: number }[]>`
          select /* bench-probe */ count(*)::int as others from pg_stat_activity
           where datname = current_database() and pid <> pg_backend_pid() and not (application_name = any(${except}::text[]))`;
        if (row!.others === 0) return;
        if (Date.now() > deadline) throw new Error(`${row!.others} connection(s) of the stopped platform still open after ${timeoutMs / 1000} s`);
        await sleep(50);
      }
    },
    close: () => sql.end({ timeout: 5 }),
  };
  return probe;
}

/**
 * A run's cost per message, net of what the same seconds cost idle: statements, WAL and CPU from
 * `before` to `done` (the last message handled), commits from `before` to `after` (taken once the
 * stopped platform's backends have exited, each flushing its statistics as it goes).
 */
export function costPerMessage(input: {
  messages: number;
  before: Snapshot;
  done: Snapshot;
  after: Snapshot;
  statements: StatementCounts;
  idle: IdleRates;
  statStatements: boolean;
  postgres: boolean;
}) {
  const { messages, before, done, after, statements, idle } = input;
  const windowSeconds = (done.at - before.at) / 1000;
  const commitSeconds = (after.at - before.at) / 1000;
  const rawCommits = after.commits - before.commits - (after.ownStatements - before.ownStatements);
  const per = (value: number, digits: number) => round(value / messages, digits);
  return {
    perMessage: {
      commits: per(rawCommits - idle.commitsPerSecond * commitSeconds, 3),
      statements: input.statStatements ? per(statements.total - idle.statementsPerSecond * windowSeconds, 2) : null,
      statementsWithoutTransactionControl: input.statStatements
        ? per(statements.total - statements.transactionControl - (idle.statementsPerSecond - 2 * idle.transactionsPerSecond) * windowSeconds, 2)
        : null,
      explicitTransactions: input.statStatements ? per(statements.transactions - idle.transactionsPerSecond * windowSeconds, 3) : null,
      foreignKeyChecksAtCommit: input.statStatements ? per(statements.foreignKeyChecks, 2) : null,
      walBytes: per(done.walBytes - before.walBytes - idle.walBytesPerSecond * windowSeconds, 0),
      nodeCpuMs: per(done.nodeCpuMs - before.nodeCpuMs - idle.nodeCpuMsPerSecond * windowSeconds, 2),
      postgresCpuMs: input.postgres ? per(done.postgresCpuMs - before.postgresCpuMs - idle.postgresCpuMsPerSecond * windowSeconds, 2) : null,
    },
    topStatements: statements.top.map((statement) => ({ perMessage: per(statement.calls, 3), meanMs: statement.meanMs, query: statement.query })),
    measured: {
      statementSeconds: round(windowSeconds),
      statements: input.statStatements ? statements.total : null,
      transactionControl: input.statStatements ? statements.transactionControl : null,
      explicitTransactions: input.statStatements ? statements.transactions : null,
      foreignKeyChecks: input.statStatements ? statements.foreignKeyChecks : null,
      commitSeconds: round(commitSeconds),
      commits: rawCommits,
    },
    idlePerSecond: {
      commits: round(idle.commitsPerSecond, 1),
      statements: input.statStatements ? round(idle.statementsPerSecond, 1) : null,
      explicitTransactions: input.statStatements ? round(idle.transactionsPerSecond, 2) : null,
      walBytes: Math.round(idle.walBytesPerSecond),
      nodeCpuMs: round(idle.nodeCpuMsPerSecond, 1),
      postgresCpuMs: input.postgres ? round(idle.postgresCpuMsPerSecond, 1) : null,
    },
  };
}
