import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { messages } from '../db/schema/index.ts';
import { buildCampaign, buildSimulatorChannel } from '../test/harness/factories.ts';
import { loadConfig } from '../kernel/config.ts';
import { createLogger } from '../kernel/logger.ts';
import { startPlatform } from '../server/platform.ts';
import { signPhoneToken } from '../gateway/simulator/phone-token.ts';
import { benchDatabase } from './bench-database.ts';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/**
 * Inbound pipeline: N customers write at once through the simulator webhook; measured until every
 * bot greeting is sent. Baseline, same run and database: N single-row insert transactions of a
 * message, the floor any "stored once" design pays.
 */
export async function run(options: { customers: number; concurrency: number; databaseUrl?: string }) {
  const logger = createLogger('warn');
  const database = await benchDatabase('inbound', options.databaseUrl, logger);
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SEED_DEMO: 'false', DATA_DIR: '/tmp/omnichat-bench-data' });
  const platform = await startPlatform({ config, logger, databaseUrl: database.databaseUrl });
  try {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    await buildCampaign(db, { channelIds: [channel.id], acdMaxWaiting: options.customers * 2 });

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

    const numbers = Array.from({ length: options.customers }, (_, i) => `+598994${String(i).padStart(5, '0')}`);
    const acceptLatencies: number[] = [];
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < numbers.length) {
          const number = numbers[next++]!;
          const sent = performance.now();
          const response = await fetch(`${platform.url}/webhooks/${channel.id}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-simulator-token': signPhoneToken(channel.secrets.signingKey!, channel.id, number) },
            body: JSON.stringify({ type: 'message', id: randomUUID(), text: 'Hello' }),
          });
          if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
          await response.arrayBuffer();
          acceptLatencies.push(performance.now() - sent);
        }
      }),
    );
    const acceptedSeconds = (performance.now() - start) / 1000;
    for (;;) {
      const [row] = (await db.execute(sql`select count(*)::int as n from messages where author_type = 'bot' and status = 'sent'`)) as unknown as [
        { n: number },
      ];
      if (row.n >= options.customers) break;
      if (performance.now() - start > 300_000) throw new Error(`only ${row.n} greetings sent after 300 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const totalSeconds = (performance.now() - start) / 1000;
    const endToEnd = (
      (await db.execute(sql`
        select extract(epoch from (b.sent_at - i.created_at)) * 1000 as ms
          from messages i join messages b on b.conversation_id = i.conversation_id and b.author_type = 'bot'
         where i.direction = 'inbound'`)) as unknown as { ms: string }[]
    )
      .map((row) => Number(row.ms))
      .sort((a, b) => a - b);
    acceptLatencies.sort((a, b) => a - b);
    const baselinePerSecond = options.customers / baselineSeconds;
    const pipelinePerSecond = options.customers / totalSeconds;
    return {
      bench: 'inbound-pipeline',
      customers: options.customers,
      concurrency: options.concurrency,
      baseline_insert_tx_per_s: Math.round(baselinePerSecond),
      webhooks_accepted_per_s: Math.round(options.customers / acceptedSeconds),
      conversations_greeted_per_s: Math.round(pipelinePerSecond),
      ratio_greeted_to_baseline: Number((pipelinePerSecond / baselinePerSecond).toFixed(3)),
      webhook_ms_p50: Math.round(percentile(acceptLatencies, 50)),
      webhook_ms_p99: Math.round(percentile(acceptLatencies, 99)),
      inbound_to_greeting_sent_ms_p50: Math.round(percentile(endToEnd, 50)),
      inbound_to_greeting_sent_ms_p99: Math.round(percentile(endToEnd, 99)),
    };
  } finally {
    await platform.stop();
    await database.drop();
  }
}
