import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../db/connection.ts';
import { buildCampaign, buildDialer, buildSimulatorChannel } from './harness/factories.ts';
import { createTestDatabase } from './harness/test-database.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ROWS = 100_000;
const BATCH_SIZE = 50;
const CONCURRENCY = 2;
/** At most this many rows are claimed by one worker at once: what a crash may send twice. */
const IN_FLIGHT_LIMIT = BATCH_SIZE * CONCURRENCY;
/**
 * Long enough that a live worker is never thought dead, however loaded the machine: the test ages
 * the killed worker's heartbeat by hand instead of waiting for it to grow old.
 */
const WORKER_TIMEOUT_MS = 10 * 60_000;
/** A phase fails once its measure of progress has not moved for this long; it may take as long as it needs otherwise. */
const STALLED_AFTER_MS = 60_000;

/** Every database, folder and child process this file opened, closed however the test ends. */
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/**
 * The broadcast, by row number g (1..ROWS): destination `0991` + g's last five digits, so each
 * valid number is on one row only. g % 100 = 0: not a phone number (OTHER); g % 50 = 1: on the
 * global DNCR, g % 50 = 2: on the campaign's own (BLOCKED); g % 50 = 3: on another campaign's list,
 * which does not block this one (SENT).
 */
const EXPECTED = { sent: ROWS - ROWS / 100 - (2 * ROWS) / 50, blocked: (2 * ROWS) / 50, other: ROWS / 100 };

async function seed(database: Database & { url: string }) {
  const { db } = database;
  // The database is not what crashes here (the worker process is): commits need not wait for the disk.
  await db.execute(sql.raw(`alter database "${new URL(database.url).pathname.slice(1)}" set synchronous_commit = off`));
  const channel = await buildSimulatorChannel(db, { defaultCountry: 'UY' });
  const campaign = await buildCampaign(db);
  const otherCampaign = await buildCampaign(db);
  const dialer = await buildDialer(db, channel.id, { running: true, batchSize: BATCH_SIZE, timeBetweenMessagesMs: 0, dncrCheck: true });
  const number = (g: string) => sql.raw(`'+598991' || lpad((${g} % 100000)::text, 5, '0')`);
  await db.execute(sql`
    insert into dncr (number, campaign_id, source)
    select ${number('g')}, case g % 50 when 1 then null when 2 then ${campaign.id}::int else ${otherCampaign.id}::int end, 'upload'
      from generate_series(1, ${ROWS}) g where g % 50 in (1, 2, 3)`);
  await db.execute(sql`
    insert into spool (dialer_id, campaign_id, destination, message, priority)
    select ${dialer.id}, ${campaign.id},
           case when g % 100 = 0 then '12' || g else '0991' || lpad((g % 100000)::text, 5, '0') end,
           'Broadcast message ' || g, 0
      from generate_series(1, ${ROWS}) g`);
  return { dialer, campaign };
}

type Worker = {
  child: ChildProcess;
  ready: Promise<{ workerId: string }>;
  /** The Nth send, logged and never answered (with `hangAt`). */
  hung: Promise<{ hung: number; sends: number }>;
  done: Promise<{ sends: number }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: string[];
};

/** A dialer worker process (test/harness/dialer-crash-worker.ts) logging its sends to `log`. */
function startWorker(databaseUrl: string, dialerId: number, log: string, hangAt?: number): Worker {
  const child = spawn(
    process.execPath,
    [
      'test/harness/dialer-crash-worker.ts',
      ...['--database-url', databaseUrl, '--dialer', String(dialerId), '--log', log],
      ...['--worker-timeout-ms', String(WORKER_TIMEOUT_MS), '--concurrency', String(CONCURRENCY)],
      ...['--log-level', process.env.TEST_LOG_LEVEL ?? 'error'],
      ...(hangAt ? ['--hang-at', String(hangAt)] : []),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  cleanups.push(async () => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')));
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const gone = () => exited.then(({ code, signal }) => Promise.reject(new Error(`worker ${child.pid} exited (${code ?? signal}):\n${output.join('\n')}`)));
  const messages = createInterface({ input: child.stdout! });
  const waitFor = <T>(key: string) =>
    Promise.race([
      new Promise<T>((resolve) =>
        messages.on('line', (line) => {
          const message = line.startsWith(`{"${key}"`) ? JSON.parse(line) : null;
          if (message) resolve(message);
        }),
      ),
      gone(),
    ]);
  messages.on('line', (line) => !/^\{"(ready|hung|done)"/.test(line) && output.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  // The test awaits only some of these: a worker's exit must not surface as an unhandled rejection of the others.
  const quiet = <T>(promise: Promise<T>) => (promise.catch(() => {}), promise);
  return {
    child,
    ready: quiet(waitFor('ready')),
    hung: quiet(waitFor('hung')),
    done: quiet(waitFor('done')),
    exited,
    output,
  };
}

const rowsOf = async <T>(database: Database, query: ReturnType<typeof sql>) => (await database.db.execute(query)) as unknown as T[];

/**
 * Waits for `done` as long as `progress` (a count that moves while the work goes on) keeps moving;
 * fails with `stalled`'s account once it has stood still for STALLED_AFTER_MS.
 */
async function untilDone<T>(done: Promise<T>, progress: () => Promise<number>, stalled: () => Promise<string>): Promise<T> {
  let finished = false;
  void done.then(
    () => (finished = true),
    () => (finished = true),
  );
  let last = await progress();
  let movedAt = Date.now();
  while (!finished) {
    await Promise.race([done.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 1_000))]);
    if (finished) break;
    const now = await progress();
    if (now !== last) [last, movedAt] = [now, Date.now()];
    else if (Date.now() - movedAt > STALLED_AFTER_MS) throw new Error(`no progress for ${STALLED_AFTER_MS} ms: ${await stalled()}`);
  }
  return done;
}

/** The spool ids a sink log holds, one per line, in order. */
async function loggedIds(file: string): Promise<number[]> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map(Number);
}

describe('a dialer worker killed with SIGKILL mid-broadcast', () => {
  it(
    'loses no row, leaves none claimed, and sends at most its in-flight batches twice, audited',
    async () => {
      const created = await createTestDatabase();
      const database = { ...connectDatabase(created.url, { max: 4 }), url: created.url };
      cleanups.push(created.drop, database.close);
      const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'omnichat-dialer-crash-'));
      cleanups.push(() => fs.rm(folder, { recursive: true, force: true }));
      const logA = path.join(folder, 'sent-by-a.log');
      const logB = path.join(folder, 'sent-by-b.log');
      const { dialer } = await seed(database);
      const byState = async () =>
        Object.fromEntries(
          (
            await rowsOf<{ state: number; n: number }>(database, sql`select state, count(*)::int as n from spool where dialer_id = ${dialer.id} group by state`)
          ).map((row) => [row.state, row.n]),
        );

      // Worker A: its send number `hangAt` reaches the sink and never gets an answer, so the crash lands
      // with that batch claimed and partly sent (the worst case); its other batch loop runs on, so
      // where that one is at the kill is left to chance.
      const hangAt = randomInt(20_000, 40_000);
      const a = startWorker(database.url, dialer.id, logA, hangAt);
      const { workerId: workerA } = await a.ready;
      const logSize = (file: string) =>
        fs.stat(file).then(
          (stat) => stat.size,
          () => 0,
        );
      await untilDone(
        a.hung,
        () => logSize(logA),
        async () => `worker A logged ${(await loggedIds(logA)).length} sends of the ${hangAt} it should reach`,
      );
      a.child.kill('SIGKILL');
      expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });
      // Dead for as long as the restart cares: its heartbeat is older than any worker timeout.
      await database.db.execute(sql`update dialer_workers set heartbeat_at = clock_timestamp() - interval '1 day' where id = ${workerA}`);

      // It really died mid-broadcast: rows wait, and some are claimed by the dead worker.
      const [atKill] = await rowsOf<{ waiting: number; sentRecorded: number }>(
        database,
        sql`select count(*) filter (where state = 1)::int as waiting, count(*) filter (where state = 2)::int as "sentRecorded"
            from spool where dialer_id = ${dialer.id}`,
      );
      const claimedAtKill = (
        await rowsOf<{ id: string }>(database, sql`select id from spool where dialer_id = ${dialer.id} and state = 1 and claimed_by = ${workerA} order by id`)
      ).map((row) => Number(row.id));
      const sentBeforeKill = (await loggedIds(logA)).length;
      expect(sentBeforeKill).toBeGreaterThanOrEqual(hangAt);
      expect(atKill!.waiting).toBeGreaterThan(ROWS / 4);
      expect(claimedAtKill.length).toBeGreaterThan(0);
      expect(claimedAtKill.length).toBeLessThanOrEqual(IN_FLIGHT_LIMIT);

      // Worker B: the restart. It recovers A's claims (A's heartbeat is older than WORKER_TIMEOUT_MS)
      // and works the rest of the file, for as long as the rows waiting keep going down.
      const b = startWorker(database.url, dialer.id, logB);
      const { workerId: workerB } = await b.ready;
      const waiting = async () => {
        const [left] = await rowsOf<{ waiting: number; claimedByA: number }>(
          database,
          sql`select count(*) filter (where state = 1)::int as waiting, count(*) filter (where state = 1 and claimed_by = ${workerA})::int as "claimedByA"
              from spool where dialer_id = ${dialer.id}`,
        );
        return left!;
      };
      await untilDone(
        b.done,
        async () => (await waiting()).waiting,
        async () => `the restarted worker is stuck: ${JSON.stringify(await waiting())} rows still TO PROCESS / claimed by the dead worker`,
      );
      expect((await b.exited).code).toBe(0);

      // Every row is in a final state: the file's numbers SENT, DNCR numbers BLOCKED, bad numbers OTHER.
      expect(await byState()).toEqual({ 2: EXPECTED.sent, 3: EXPECTED.blocked, 4: EXPECTED.other });
      // The monitor's counters, kept by statement triggers, agree with the rows after the crash.
      const counters = await rowsOf<{ state: number; n: number }>(
        database,
        sql`select state, sum(count)::int as n from spool_counts where dialer_id = ${dialer.id} group by state having sum(count) <> 0`,
      );
      expect(Object.fromEntries(counters.map((row) => [row.state, row.n]))).toEqual(await byState());
      expect(await rowsOf(database, sql`select id from spool where dialer_id = ${dialer.id} and state = 2 and provider_message_id is null`)).toEqual([]);
      // Both workers are gone from the heartbeats: A forgotten by the recovery, B by its stop.
      expect(await rowsOf(database, sql`select id from dialer_workers`)).toEqual([]);

      // None lost: every SENT row reached the sink; no BLOCKED or OTHER row ever did.
      const logged = [...(await loggedIds(logA)), ...(await loggedIds(logB))];
      const distinct = new Set(logged);
      const sentIds = (await rowsOf<{ id: string }>(database, sql`select id from spool where dialer_id = ${dialer.id} and state = 2`)).map((row) =>
        Number(row.id),
      );
      expect(sentIds.filter((id) => !distinct.has(id))).toEqual([]);
      const sentSet = new Set(sentIds);
      expect([...distinct].filter((id) => !sentSet.has(id))).toEqual([]);

      // Sent twice: only rows A held at the kill, handed out again, marked (attempts 2) and audited.
      const recovered = (
        await rowsOf<{ id: string; attempts: number }>(
          database,
          sql`select id, attempts from spool where dialer_id = ${dialer.id} and attempts >= 2 order by id`,
        )
      ).map((row) => Number(row.id));
      expect(await rowsOf(database, sql`select id from spool where dialer_id = ${dialer.id} and attempts > 2`)).toEqual([]);
      expect(recovered).toEqual(claimedAtKill);
      const audits = await rowsOf<{ details: { rows: number; ids: number[] }; target_id: string }>(
        database,
        sql`select details, target_id from audit_log where action = 'dialer.claims_recovered'`,
      );
      expect(audits.map((audit) => audit.target_id)).toEqual(audits.map(() => String(dialer.id)));
      expect(audits.reduce((total, audit) => total + audit.details.rows, 0)).toBe(recovered.length);
      expect(audits.flatMap((audit) => audit.details.ids).sort((x, y) => x - y)).toEqual(recovered);
      const seen = new Map<number, number>();
      for (const id of logged) seen.set(id, (seen.get(id) ?? 0) + 1);
      const twice = [...seen].filter(([, times]) => times > 1).map(([id]) => id);
      const recoveredSet = new Set(recovered);
      expect(twice.filter((id) => !recoveredSet.has(id))).toEqual([]);
      expect(Math.max(0, ...seen.values())).toBeLessThanOrEqual(2);
      const duplicates = logged.length - distinct.size;
      expect(duplicates).toBeLessThanOrEqual(IN_FLIGHT_LIMIT);
      // The hung send was taken by the provider and never answered: it is sent again, once.
      expect(seen.get((await a.hung).hung)).toBe(2);

      console.log(
        JSON.stringify({
          dialerCrash: {
            rows: ROWS,
            batchSize: BATCH_SIZE,
            concurrency: CONCURRENCY,
            hangAt,
            sentBeforeKill,
            recordedSentAtKill: atKill!.sentRecorded,
            waitingAtKill: atKill!.waiting,
            claimedByDeadWorker: claimedAtKill.length,
            recovered: recovered.length,
            duplicates,
            inFlightLimit: IN_FLIGHT_LIMIT,
            sentByRestart: logged.length - sentBeforeKill,
            final: await byState(),
            workers: [workerA, workerB],
          },
        }),
      );
    },
    15 * 60_000,
  );
});
