import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { messages } from '../db/schema/index.ts';
import { loadConfig } from '../kernel/config.ts';
import { createLogger } from '../kernel/logger.ts';
import { startPlatform } from '../server/platform.ts';
import { seedBenchCampaign, type BenchFlow } from './bench-campaign.ts';
import { benchDatabase } from './bench-database.ts';
import { costPerMessage, createDatabaseProbe, type DatabaseProbe } from './database-probe.ts';
import { machineLoad, percentile, round, wallClockMs } from './stats.ts';
import { startWebhookLoad, type WebhookLoad } from './webhook-load.ts';

export type InboundBenchOptions = { customers: number; concurrency: number; flow: BenchFlow; databaseUrl?: string };

/** Issue 15's budget for one inbound message, webhook to the bot's reply sent. */
const GOALS = { statements: 12, commits: 2, cpuMs: 20, ratio: 0.5 } as const;
const DONE_TIMEOUT_MS = 300_000;

/**
 * Inbound pipeline: N customers write at once through the simulator webhook (sent by a process of
 * its own, `concurrency` requests in flight); measured until every bot greeting is stored `sent`.
 * Baseline, same run and database: N single-row insert transactions of a message, the floor any
 * "stored once" design pays. Per message, net of what the platform does idle: statements, commits,
 * WAL bytes, the CPU of the platform's Node process (this one) and of the PostgreSQL server.
 */
export async function run(options: InboundBenchOptions) {
  // The platform logs to stderr: stdout carries the JSON line only.
  const logger = createLogger('warn', pino.destination(2));
  const machineAtStart = machineLoad();
  const database = await benchDatabase('inbound', options.databaseUrl, logger, { statStatements: true });
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SEED_DEMO: 'false', DATA_DIR: '/tmp/omnichat-bench-data' });
  const platform = await startPlatform({ config, logger, databaseUrl: database.databaseUrl });
  let running = true;
  let probe: DatabaseProbe | null = null;
  let load: WebhookLoad | null = null;
  try {
    const { db } = platform.services;
    const { channel } = await seedBenchCampaign(db, { flow: options.flow, acdMaxWaiting: options.customers * 2 });

    const baselineStart = performance.now();
    for (let i = 0; i < options.customers; i++) {
      await db.transaction(async (tx) => {
        await tx.insert(messages).values({
          channelId: channel.id,
          direction: 'inbound',
          authorType: 'contact',
          address: `+1555${i}`,
          body: 'x',
          providerMessageId: `baseline-${i}`,
          status: 'received',
        });
      });
    }
    const baselineSeconds = (performance.now() - baselineStart) / 1000;
    await db.execute(sql`delete from messages where provider_message_id like 'baseline-%'`);

    load = await startWebhookLoad();
    probe = await createDatabaseProbe(database.databaseUrl, {
      nodeCpuMs: () => {
        const cpu = process.cpuUsage();
        return (cpu.user + cpu.system) / 1000;
      },
    });
    const idle = await probe.measureIdle();

    await probe.resetStatements();
    const before = await probe.snapshot();
    const startedAt = wallClockMs();
    const accepted = await load.run({
      mode: 'count',
      url: platform.url!,
      channelId: channel.id,
      signingKey: channel.signingKey,
      customers: options.customers,
      idPrefix: 'inbound',
      concurrency: options.concurrency,
      count: options.customers,
    });
    if (accepted.ok !== options.customers) throw new Error(`${accepted.failed} webhooks failed: ${accepted.firstError}`);
    let lastSentAt: number;
    for (;;) {
      const [row] = await probe.sql<{ n: number; last: number | null }[]>`
        select /* bench-probe */ count(*)::int as n, (extract(epoch from max(sent_at)) * 1000)::float8 as last
          from messages where author_type = 'bot' and status = 'sent'`;
      if (row!.n >= options.customers) {
        lastSentAt = row!.last!;
        break;
      }
      if (wallClockMs() - startedAt > DONE_TIMEOUT_MS) throw new Error(`only ${row!.n} greetings sent after ${DONE_TIMEOUT_MS / 1000} s`);
      await sleep(50);
    }
    const done = await probe.snapshot();
    const statements = await probe.statements();
    const endToEnd = (
      await probe.sql<{ ms: number }[]>`
        select /* bench-probe */ (extract(epoch from (b.sent_at - i.created_at)) * 1000)::float8 as ms
          from messages i join messages b on b.conversation_id = i.conversation_id and b.author_type = 'bot'
         where i.direction = 'inbound'`
    )
      .map((row) => row.ms)
      .sort((a, b) => a - b);
    // Every backend of the platform gone (each flushes its statistics as it exits): the commit count is whole.
    await platform.stop();
    running = false;
    await probe.waitForNoOtherBackends(30_000);
    const after = await probe.snapshot({ flushOwn: true });
    const costs = costPerMessage({
      messages: options.customers,
      before,
      done,
      after,
      statements,
      idle,
      statStatements: probe.statStatements,
      postgres: probe.postgres,
    });

    const totalSeconds = (lastSentAt - startedAt) / 1000;
    const baselinePerSecond = options.customers / baselineSeconds;
    const pipelinePerSecond = options.customers / totalSeconds;
    const ratio = pipelinePerSecond / baselinePerSecond;
    const { perMessage } = costs;
    const cpuMs = perMessage.postgresCpuMs === null || perMessage.nodeCpuMs === null ? null : round(perMessage.nodeCpuMs + perMessage.postgresCpuMs, 2);
    return {
      bench: 'inbound-pipeline',
      customers: options.customers,
      concurrency: options.concurrency,
      flow: options.flow,
      machine: { atStart: machineAtStart, atEnd: machineLoad() },
      baseline_insert_tx_per_s: Math.round(baselinePerSecond),
      webhooks_accepted_per_s: Math.round(options.customers / accepted.seconds),
      conversations_greeted_per_s: Math.round(pipelinePerSecond),
      ratio_greeted_to_baseline: round(ratio, 3),
      webhook_ms_p50: Math.round(accepted.latencyMs.p50 ?? Number.NaN),
      webhook_ms_p99: Math.round(accepted.latencyMs.p99 ?? Number.NaN),
      inbound_to_greeting_sent_ms_p50: Math.round(percentile(endToEnd, 50)),
      inbound_to_greeting_sent_ms_p99: Math.round(percentile(endToEnd, 99)),
      perMessage: { ...perMessage, cpuMs },
      goals: {
        statements: `<= ${GOALS.statements}: ${perMessage.statements === null ? 'not measured' : perMessage.statements <= GOALS.statements ? 'met' : 'not met'}`,
        commits: `<= ${GOALS.commits}: ${perMessage.commits !== null && perMessage.commits <= GOALS.commits ? 'met' : 'not met'}`,
        cpuMs: `<= ${GOALS.cpuMs} (Node + PostgreSQL): ${cpuMs === null ? 'not measured' : cpuMs <= GOALS.cpuMs ? 'met' : 'not met'}`,
        ratio: `>= ${GOALS.ratio}: ${ratio >= GOALS.ratio ? 'met' : 'not met'}`,
      },
      topStatements: costs.topStatements,
      measured: costs.measured,
      idlePerSecond: costs.idlePerSecond,
      loadGeneratorCpuMsPerMessage: round(accepted.cpuMs / options.customers, 2),
      statStatements: probe.statStatements ? 'pg_stat_statements' : 'unavailable (not in shared_preload_libraries): statements per message skipped',
    };
  } finally {
    if (running) await platform.stop();
    await load?.close();
    await probe?.close();
    await database.drop();
  }
}
