import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { connectDatabase } from '../db/connection.ts';
import { applyMigrations } from '../db/migrate.ts';
import type { Channel, OutboundMessage } from '../gateway/channel.ts';
import { startDialerRunner } from '../dialer/dialer-runner.ts';
import { createLogger } from '../kernel/logger.ts';
import { benchDatabase } from './bench-database.ts';
import { createSendPacing } from '../gateway/send-pacing.ts';

export type DispatchBenchOptions = { rows: number; dncr: number; batchSize: number; concurrency: number; databaseUrl: string | undefined };

/**
 * `dispatch`: `rows` spool rows (every tenth number on the DNCR, 100,000 DNCR numbers by default)
 * through the real dialer runner to an in-process zero-latency sink channel, against a bare SQL
 * loop that claims and marks the same rows in a copy of the table (same indexes, same batch and
 * concurrency) in the same run. The ratio is the figure that counts.
 */
export async function run(options: DispatchBenchOptions) {
  const logger = createLogger('warn');
  const database = await benchDatabase('dispatch', options.databaseUrl, logger);
  const { sql, db, close } = connectDatabase(database.databaseUrl, { max: options.concurrency + 4, applicationName: 'omnichat-bench-dispatch' });
  try {
    await applyMigrations(sql);
    const dialerId = await seed(sql, options);
    const baselineSeconds = await bareLoop(database.databaseUrl, dialerId, options);

    let sent = 0;
    const sink: Channel = {
      type: 'simulator',
      verify: () => true,
      normalize: () => ({ messages: [], statuses: [] }),
      send: async (message: OutboundMessage) => {
        sent++;
        return { ok: true, providerMessageId: String(message.messageId) };
      },
    };
    let handled = 0;
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => (done = resolve));
    const started = performance.now();
    const runner = await startDialerRunner({
      sql,
      db,
      channels: { get: () => sink },
      pacing: createSendPacing(db),
      logger,
      workerTimeoutMs: 30_000,
      concurrency: options.concurrency,
      onBatch: (_dialer, report) => {
        handled += report.sent + report.blocked + report.other + report.failed;
        if (handled >= options.rows) done();
      },
    });
    await sql`update dialers set running = true where id = ${dialerId}`;
    await sql`select pg_notify('omnichat_dialer', ${String(dialerId)})`;
    await finished;
    const seconds = (performance.now() - started) / 1000;
    await runner.stop();
    const [counts] = await sql<{ sent: string; blocked: string; waiting: string }[]>`
      select coalesce(sum(count) filter (where state = 2), 0) as sent, coalesce(sum(count) filter (where state = 3), 0) as blocked,
             coalesce(sum(count) filter (where state = 1), 0) as waiting
        from spool_counts where dialer_id = ${dialerId}`;
    const perSecond = options.rows / seconds;
    const baselinePerSecond = options.rows / baselineSeconds;
    return {
      bench: 'dispatch',
      rows: options.rows,
      dncrNumbers: options.dncr,
      batchSize: options.batchSize,
      concurrency: options.concurrency,
      sentToSink: sent,
      stored: { sent: Number(counts!.sent), blocked: Number(counts!.blocked), waiting: Number(counts!.waiting) },
      seconds: round(seconds),
      messagesPerSecond: Math.round(perSecond),
      baseline: {
        what: 'bare SKIP LOCKED claim-and-update loop, same table shape, batch and concurrency',
        seconds: round(baselineSeconds),
        rowsPerSecond: Math.round(baselinePerSecond),
      },
      ratio: round(perSecond / baselinePerSecond, 3),
    };
  } finally {
    await close();
    await database.drop();
  }
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** A dialer with `rows` waiting rows in one campaign; every tenth destination on the global DNCR. */
async function seed(sql: postgres.Sql, options: DispatchBenchOptions): Promise<number> {
  const [channel] = await sql<{ id: number }[]>`insert into channels (name, type, default_country) values ('sink', 'simulator', 'UY') returning id`;
  const [campaign] = await sql<{ id: number }[]>`insert into campaigns (name) values ('broadcast') returning id`;
  const [dialer] = await sql<{ id: number }[]>`
    insert into dialers (name, channel_id, enabled, running, time_between_messages_ms, batch_size, dncr_check)
    values ('bench', ${channel!.id}, true, false, 0, ${options.batchSize}, true) returning id`;
  // Valid Uruguayan mobiles: 099 + 6 digits, read with the channel's country.
  await sql`
    insert into spool (dialer_id, campaign_id, destination, message, priority)
    select ${dialer!.id}, ${campaign!.id}, '099' || lpad((n % 1000000)::text, 6, '0'), 'Promo ' || n, n % 3
      from generate_series(1, ${options.rows}) n`;
  await sql`
    insert into dncr (number, campaign_id, source)
    select '+59899' || lpad((n * 10)::text, 6, '0'), null, 'upload' from generate_series(0, ${options.dncr - 1}) n
    on conflict do nothing`;
  await sql`create table spool_bare (like spool including defaults including indexes including constraints)`;
  await sql`insert into spool_bare select * from spool`;
  await sql`vacuum analyze spool, spool_bare, dncr`;
  return dialer!.id;
}

/** The floor: claim a batch in order and mark it sent, in one statement, `concurrency` loops at once. */
async function bareLoop(databaseUrl: string, dialerId: number, options: DispatchBenchOptions): Promise<number> {
  const sql = postgres(databaseUrl, { max: options.concurrency, onnotice: () => {} });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      for (;;) {
        const result = await sql`
          update spool_bare s set state = 2, processed_at = clock_timestamp(), claimed_by = 'bare'
            from (select id from spool_bare where dialer_id = ${dialerId} and state = 1 and claimed_at is null
                   order by priority desc nulls last, id limit ${options.batchSize} for update skip locked) c
           where s.id = c.id`;
        if (result.count === 0) return;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await sql.end();
  await sleep(0);
  return seconds;
}
