import pino from 'pino';
import { connectDatabase } from '../db/connection.ts';
import { applyMigrations } from '../db/migrate.ts';
import { createLogger } from '../kernel/logger.ts';
import { QUEUES } from '../kernel/queues.ts';
import { seedBenchCampaign } from './bench-campaign.ts';
import { forkBenchChild } from './bench-child.ts';
import { benchDatabase } from './bench-database.ts';
import { createDatabaseProbe, type DatabaseProbe } from './database-probe.ts';
import { processCpuMs } from './proc-cpu.ts';
import { startPlatformProcess } from './platform-process.ts';
import { machineLoad, round } from './stats.ts';
import { startWebhookLoad, type LoadResult, type WebhookLoad } from './webhook-load.ts';

export type AckBenchOptions = {
  /** Webhook requests in flight at once, one run per value. */
  concurrencies: number[];
  seconds: number;
  warmupSeconds: number;
  /** Also the platform with `ROLES=http,workers` (the inbound jobs worked while webhooks arrive). */
  withWorkers: boolean;
  databaseUrl?: string;
};

/** The platform's pool (server/platform.ts: `connectDatabase(…, { max: 20 })`), given to the floor too. */
const POOL_SIZE = 20;
const CUSTOMERS = 1000;
const GOAL_RATIO = 1.0;

type Target = { name: 'hello' | 'floor' | 'platform' | 'platformWithWorkers'; roles?: string };

/**
 * `ack`: webhook acknowledgements per second through the real platform (a process of its own with
 * `ROLES=http` only, so no job competes with the webhooks; then with `http,workers` too), against a
 * store floor measured in the same run: a bare express app storing each request in one insert
 * transaction into a messages-shaped table (bench/ack-servers-child.ts), and an express hello world
 * for reference. The same load generator (a process of its own, closed loop) drives each.
 */
export async function run(options: AckBenchOptions) {
  const logger = createLogger('warn', pino.destination(2));
  const machineAtStart = machineLoad();
  const database = await benchDatabase('ack', options.databaseUrl, logger, { statStatements: true });
  let seeding: ReturnType<typeof connectDatabase> | null = null;
  let probe: DatabaseProbe | null = null;
  let load: WebhookLoad | null = null;
  try {
    seeding = connectDatabase(database.databaseUrl, { max: 2, applicationName: 'omnichat-bench-seed' });
    await applyMigrations(seeding.sql);
    await seeding.sql`create table bench_floor_messages (like messages including all)`;
    const { channel } = await seedBenchCampaign(seeding.db, { flow: 'greet' });
    let serverPid = 0;
    probe = await createDatabaseProbe(database.databaseUrl, { nodeCpuMs: () => processCpuMs(serverPid) ?? Number.NaN, top: 8 });
    load = await startWebhookLoad();
    const targets: Target[] = [
      { name: 'hello' },
      { name: 'floor' },
      { name: 'platform', roles: 'http' },
      ...(options.withWorkers ? [{ name: 'platformWithWorkers', roles: 'http,workers' } satisfies Target] : []),
    ];
    const byConcurrency: Record<string, Record<string, unknown>> = {};
    let topStatements: { perAck: number | null; meanMs: number; query: string }[] = [];
    for (const concurrency of options.concurrencies) {
      const results: Record<string, ReturnType<typeof summary> & { perAck?: Record<string, number | null> }> = {};
      for (const target of targets) {
        const server = await startTarget(target, database.databaseUrl);
        serverPid = server.pid;
        try {
          await probe.resetStatements();
          const before = await probe.snapshot();
          const answered = await load.run({
            mode: 'timed',
            url: server.url,
            channelId: channel.id,
            signingKey: channel.signingKey,
            customers: CUSTOMERS,
            firstCustomer: 0,
            idPrefix: `ack-${target.name}-${concurrency}`,
            concurrency,
            warmupSeconds: options.warmupSeconds,
            seconds: options.seconds,
          });
          const done = await probe.snapshot();
          const statements = await probe.statements();
          const per = (value: number, digits = 2) => (answered.ok ? round(value / answered.ok, digits) : null);
          results[target.name] = {
            ...summary(answered),
            ...(target.name === 'hello'
              ? {}
              : {
                  perAck: {
                    serverCpuMs: per(done.nodeCpuMs - before.nodeCpuMs),
                    postgresCpuMs: probe.postgres ? per(done.postgresCpuMs - before.postgresCpuMs) : null,
                    statements: probe.statStatements ? per(statements.total) : null,
                    explicitTransactions: probe.statStatements ? per(statements.transactions, 3) : null,
                    walBytes: per(done.walBytes - before.walBytes, 0),
                  },
                }),
          };
          if (target.name === 'platform' && concurrency === Math.max(...options.concurrencies)) {
            topStatements = statements.top.map((statement) => ({ perAck: per(statement.calls, 3), meanMs: statement.meanMs, query: statement.query }));
          }
        } finally {
          await server.stop();
        }
        // What one run left queued (every webhook enqueues its customer's inbound job) must not be the next run's work.
        if (target.roles)
          await seeding.sql`delete from pgboss.job where name in (${QUEUES.conversationInbound}, ${QUEUES.gatewayOutbound}) and state in ('created', 'retry')`;
      }
      const floor = results.floor!.acksPerSecond;
      byConcurrency[String(concurrency)] = {
        ...results,
        ratio: floor ? round(results.platform!.acksPerSecond / floor, 3) : null,
        ...(results.platformWithWorkers ? { ratioWithWorkers: floor ? round(results.platformWithWorkers.acksPerSecond / floor, 3) : null } : {}),
        helloToFloor: floor ? round(results.hello!.acksPerSecond / floor, 2) : null,
      };
    }
    return {
      bench: 'ack',
      seconds: options.seconds,
      warmupSeconds: options.warmupSeconds,
      customers: CUSTOMERS,
      machine: { atStart: machineAtStart, atEnd: machineLoad() },
      platform: 'a process of its own, ROLES=http (no worker competes with the webhooks)',
      ...(options.withWorkers ? { platformWithWorkers: 'ROLES=http,workers: the greet flow answers every message meanwhile' } : {}),
      floor: `bare express + postgres.js (pool ${POOL_SIZE}), one INSERT … ON CONFLICT DO NOTHING transaction per request into a messages-shaped table`,
      concurrency: byConcurrency,
      goal: `ratio (platform / floor) >= ${GOAL_RATIO}: ${Object.values(byConcurrency).every((entry) => typeof entry.ratio === 'number' && entry.ratio >= GOAL_RATIO) ? 'met' : 'not met'}`,
      topStatementsPlatform: topStatements,
      loadGenerator:
        'a process of its own, node:http with keep-alive, closed loop: each of `concurrency` lanes sends its next webhook when the last is answered',
    };
  } finally {
    await load?.close();
    await probe?.close();
    await seeding?.close();
    await database.drop();
  }
}

function summary(result: LoadResult) {
  return {
    acksPerSecond: result.measured?.perSecond ?? 0,
    latencyMs: { p50: result.latencyMs.p50, p99: result.latencyMs.p99 },
    failed: result.failed,
    ...(result.failed ? { statuses: result.statuses, errors: result.errors, firstError: result.firstError } : {}),
  };
}

async function startTarget(target: Target, databaseUrl: string): Promise<{ pid: number; url: string; stop: () => Promise<void> }> {
  if (target.roles) {
    const platform = await startPlatformProcess({ databaseUrl, roles: target.roles });
    return { pid: platform.pid, url: platform.url!, stop: platform.stop };
  }
  const child = await forkBenchChild(new URL('./ack-servers-child.ts', import.meta.url), {
    name: `the ${target.name} server`,
    args: [target.name, databaseUrl, String(POOL_SIZE)],
  });
  return { pid: child.pid, url: child.ready.url as string, stop: () => child.close() };
}
