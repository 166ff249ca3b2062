import { sql } from 'drizzle-orm';
import { connectDatabase } from '../../db/connection.ts';
import { ensureDatabase } from '../../db/ensure-database.ts';
import { buildBotFlow, buildCampaign, buildSimulatorChannel } from '../harness/factories.ts';
import type { ChaosPostgres } from './chaos-postgres.ts';
import { startPlatformProcess } from './platform-process.ts';
import { reaches, waitFor } from './wait-for.ts';
import { postMessage, startWebhookLoad, watchReadiness, type ReadinessSample } from './webhook-load.ts';

/** Answers every message with its text: "echo: m12" (the first message of a conversation gets "echo: "). */
const ECHO_FLOW = {
  start: 'listen',
  settings: { typingDelayMs: 0, inactivityMinutes: 0 },
  nodes: { listen: { type: 'ask', text: 'echo: {{said}}', variable: 'said', next: 'listen' } },
};
const CUSTOMERS = Array.from({ length: 40 }, (_, i) => `+5989920${String(i).padStart(4, '0')}`);
const PER_SECOND = 25;
const OUTAGE_MS = 12_000;

/**
 * Scenario A: a platform process under steady webhook load while its PostgreSQL is stopped (SIGINT)
 * and started again. Every message must end up acknowledged, stored once and answered by the bot;
 * the process must stay up, and `/readyz` say 503 while the database is away and 200 after.
 */
export async function pgRestart(server: ChaosPostgres) {
  const failures: string[] = [];
  const databaseUrl = await ensureDatabase(server.url, 'chaos_pg_restart');
  const platform = await startPlatformProcess({ databaseUrl, name: 'pg-restart' });
  const database = connectDatabase(databaseUrl, { max: 2, applicationName: 'omnichat-chaos' });
  try {
    const channel = await buildSimulatorChannel(database.db);
    const flow = await buildBotFlow(database.db, ECHO_FLOW);
    await buildCampaign(database.db, { channelIds: [channel.id], botFlowId: flow.id });
    const target = { id: channel.id, signingKey: channel.secrets.signingKey! };
    const replies = async () =>
      (await database.db.execute(sql`
        select body, count(*)::int as count from messages
         where channel_id = ${channel.id} and author_type = 'bot' group by body`)) as unknown as { body: string; count: number }[];

    // Each customer's first message opens its conversation (answered "echo: "), so every later one is echoed.
    for (const [n, from] of CUSTOMERS.entries()) {
      const status = await postMessage(platform.url, target, from, `warm-up-${String(n).padStart(4, '0')}`, 'hello');
      if (status !== 200) throw new Error(`warm-up message answered ${status}`);
    }
    await waitFor(async () => (await replies()).find((row) => row.body === 'echo: ')?.count === CUSTOMERS.length, {
      timeoutMs: 60_000,
      what: 'the warm-up replies',
    });

    const started = Date.now();
    const readiness = watchReadiness(platform.url);
    const load = startWebhookLoad({ baseUrl: platform.url, channel: target, customers: CUSTOMERS, perSecond: PER_SECOND, prefix: 'load' });
    await waitFor(() => load.acknowledged() >= 150, { timeoutMs: 60_000, what: '150 messages acknowledged before the outage' });

    const stopping = Date.now();
    await server.stop();
    const stopped = Date.now();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    const restarting = Date.now();
    await server.start();
    const restarted = Date.now();
    const acknowledgedAtRestart = load.acknowledged();
    if (!(await reaches(() => load.acknowledged() >= acknowledgedAtRestart + 300, 120_000))) failures.push('the load did not resume after the restart');
    const traffic = await load.stop(90_000);
    const samples = await readiness.stop();

    // Every message processed: echoed by the bot (the job of a worker cut off by the outage comes back by its heartbeat).
    const expected = new Set([...load.messages.values()].map((message) => `echo: ${message.text}`));
    const processedBy = await reaches(async () => (await replies()).filter((row) => expected.has(row.body)).length === expected.size, 150_000, 1000);
    const processedAt = Date.now();
    const echoed = new Map((await replies()).map((row) => [row.body, row.count]));
    const stored = (await database.db.execute(sql`
      select provider_message_id as id, count(*)::int as count from messages
       where channel_id = ${channel.id} and direction = 'inbound' and provider_message_id like 'sim-in-load-%'
       group by provider_message_id`)) as unknown as { id: string; count: number }[];
    const storedIds = new Map(stored.map((row) => [row.id.slice('sim-in-'.length), row.count]));

    const figures = {
      scenario: 'pg-restart',
      perSecond: PER_SECOND,
      outageMs: restarting - stopping,
      postgresDownMs: restarted - stopped,
      ...traffic,
      unacknowledged: traffic.unacknowledged.length,
      stored: storedIds.size,
      storedTwice: stored.filter((row) => row.count > 1).length,
      acknowledgedNotStored: [...load.messages].filter(([id, message]) => message.acknowledgedAt !== null && !storedIds.has(id)).length,
      storedNotSent: [...storedIds.keys()].filter((id) => !load.messages.has(id)).length,
      processed: [...expected].filter((body) => echoed.has(body)).length,
      answeredTwice: [...expected].filter((body) => (echoed.get(body) ?? 0) > 1).length,
      processedWithinMsOfRestart: processedBy ? processedAt - restarted : null,
      unanswered: [...load.messages]
        .filter(([, message]) => !echoed.has(`echo: ${message.text}`))
        .slice(0, 10)
        .map(([id, message]) => ({ id, ...message })),
      readiness: readinessFigures(samples, { stopped, restarting, restarted }),
      platformExited: platform.exit(),
      platformLog: platform.logCounts(),
      durationMs: Date.now() - started,
    };
    if (figures.unacknowledged) failures.push(`${figures.unacknowledged} message(s) never acknowledged`);
    if (figures.refusals['500']) failures.push(`${figures.refusals['500']} answer(s) 500`);
    if (figures.stored !== figures.sent) failures.push(`${figures.sent} sent, ${figures.stored} stored`);
    if (figures.storedTwice) failures.push(`${figures.storedTwice} message(s) stored twice`);
    if (figures.acknowledgedNotStored) failures.push(`${figures.acknowledgedNotStored} message(s) acknowledged but not stored`);
    if (figures.storedNotSent) failures.push(`${figures.storedNotSent} stored message(s) that were never sent`);
    if (figures.processed !== figures.sent) failures.push(`${figures.sent - figures.processed} message(s) not answered by the bot`);
    if (figures.answeredTwice) failures.push(`${figures.answeredTwice} message(s) answered twice`);
    if (!figures.refusals['503']) failures.push('no webhook was refused with 503 during the outage (was the database really away?)');
    failures.push(...figures.readiness.failures);
    if (figures.platformExited) failures.push(`the platform process exited during the run: ${JSON.stringify(figures.platformExited)}`);
    const unexpected = Object.keys(figures.platformLog).filter((line) => /^(error|fatal): (request failed|unhandled rejection)/.test(line));
    if (unexpected.length) failures.push(`the platform logged ${unexpected.join('; ')}`);
    const exit = await platform.stop();
    if (exit.code !== 0) failures.push(`the platform did not stop cleanly on SIGTERM: ${JSON.stringify(exit)}`);
    return { ...figures, platformStop: exit.code, ok: failures.length === 0, failures, ...(failures.length ? { platformLogTail: platform.logTail() } : {}) };
  } finally {
    await platform.remove();
    await database.close();
  }
}

/** What `/readyz` said while the database was away and after it came back. */
function readinessFigures(samples: ReadinessSample[], times: { stopped: number; restarting: number; restarted: number }) {
  const failures: string[] = [];
  const count = (list: ReadinessSample[]) =>
    list.reduce<Record<string, number>>((counts, sample) => ({ ...counts, [sample.status]: (counts[sample.status] ?? 0) + 1 }), {});
  const down = samples.filter((sample) => sample.at > times.stopped && sample.at + sample.ms < times.restarting);
  const after = samples.filter((sample) => sample.at > times.restarted);
  const firstReady = after.find((sample) => sample.status === 200);
  if (down.length === 0 || down.some((sample) => sample.status !== 503)) failures.push(`/readyz while the database was away: ${JSON.stringify(count(down))}`);
  if (!firstReady || after.at(-1)?.status !== 200) failures.push(`/readyz after the restart: ${JSON.stringify(count(after))}`);
  return {
    whileDown: count(down),
    slowestWhileDownMs: Math.max(0, ...down.map((sample) => sample.ms)),
    readyMsAfterRestart: firstReady ? firstReady.at + firstReady.ms - times.restarted : null,
    failures,
  };
}
