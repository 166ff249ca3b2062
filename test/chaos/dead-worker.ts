import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { connectDatabase } from '../../db/connection.ts';
import { ensureDatabase } from '../../db/ensure-database.ts';
import { buildBotFlow, buildCampaign, buildSimulatorChannel } from '../harness/factories.ts';
import type { ChaosPostgres } from './chaos-postgres.ts';
import { startPlatformProcess } from './platform-process.ts';
import { reaches, waitFor } from './wait-for.ts';
import { postMessage } from './webhook-load.ts';

const CUSTOMERS = Array.from({ length: 5 }, (_, i) => `+5989930${String(i).padStart(4, '0')}`);
/** How soon the jobs of a dead process must be done by another one (issue 13: "within about a minute"). */
const BOUND_MS = 90_000;

/**
 * Scenario B: a platform process dies (SIGKILL) while it holds inbound jobs, each waiting on a bot
 * HTTP node whose server does not answer yet. A second process must take those jobs over and finish
 * them (the bot's answer stored) within BOUND_MS of the kill, through pg-boss's job heartbeat.
 * The messages are taken by an HTTP-only process first, so the worker fetches them in one batch and
 * holds them all at once.
 */
export async function deadWorker(server: ChaosPostgres) {
  const failures: string[] = [];
  // The system the bot looks things up in: it holds every request until `answering`.
  let answering = false;
  const held: ServerResponse[] = [];
  const lookups = createServer((request, response) => {
    request.resume();
    if (!answering) return void held.push(response);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ answer: 'ok' }));
  });
  await new Promise<void>((resolve) => lookups.listen(0, '127.0.0.1', resolve));
  const lookupUrl = `http://127.0.0.1:${(lookups.address() as AddressInfo).port}`;

  const databaseUrl = await ensureDatabase(server.url, 'chaos_dead_worker');
  const front = await startPlatformProcess({ databaseUrl, name: 'dead-worker-http', roles: 'http' });
  const database = connectDatabase(databaseUrl, { max: 2, applicationName: 'omnichat-chaos' });
  let first: Awaited<ReturnType<typeof startPlatformProcess>> | null = null;
  let second: Awaited<ReturnType<typeof startPlatformProcess>> | null = null;
  try {
    const channel = await buildSimulatorChannel(database.db);
    const flow = await buildBotFlow(database.db, {
      start: 'lookup',
      settings: { typingDelayMs: 0, inactivityMinutes: 0 },
      nodes: {
        lookup: {
          type: 'http',
          method: 'GET',
          url: `${lookupUrl}/customers/{{contact.address}}`,
          timeoutMs: 30_000,
          map: { answer: 'answer' },
          next: 'found',
          onError: 'failed',
        },
        found: { type: 'message', text: 'looked up: {{answer}}' },
        failed: { type: 'message', text: 'lookup failed' },
      },
    });
    await buildCampaign(database.db, { channelIds: [channel.id], botFlowId: flow.id });
    const target = { id: channel.id, signingKey: channel.secrets.signingKey! };
    for (const [n, from] of CUSTOMERS.entries()) {
      const status = await postMessage(front.url, target, from, `held-${String(n).padStart(4, '0')}`, 'where is my order?');
      if (status !== 200) throw new Error(`message answered ${status}`);
    }
    await front.stop();
    first = await startPlatformProcess({ databaseUrl, name: 'dead-worker-1' });
    await waitFor(() => held.length === CUSTOMERS.length, { timeoutMs: 60_000, what: 'every bot lookup to reach the held server' });
    const activeJobs = async () => {
      const [row] = (await database.db.execute(sql`
        select count(*) filter (where state = 'active')::int as active,
               count(*) filter (where state = 'completed')::int as completed,
               coalesce(max(retry_count), 0)::int as "maxRetryCount"
          from pgboss.job where name = 'conversation.inbound'`)) as unknown as [{ active: number; completed: number; maxRetryCount: number }];
      return row;
    };
    const heldJobs = await activeJobs();

    await first.kill();
    const killed = Date.now();
    answering = true;
    for (const response of held) response.destroy();
    second = await startPlatformProcess({ databaseUrl, name: 'dead-worker-2' });
    const secondReadyMs = Date.now() - killed;

    const answered = async () => {
      const [row] = (await database.db.execute(sql`
        select count(*) filter (where body = 'looked up: ok')::int as found, count(*) filter (where body = 'lookup failed')::int as failed
          from messages where channel_id = ${channel.id} and author_type = 'bot'`)) as unknown as [{ found: number; failed: number }];
      return row;
    };
    const done = await reaches(async () => (await answered()).found >= CUSTOMERS.length, BOUND_MS + 30_000, 250);
    const recoveredMs = done ? Date.now() - killed : null;
    const replies = await answered();
    const jobs = await activeJobs();
    const figures = {
      scenario: 'dead-worker',
      heldJobs: heldJobs.active,
      secondReadyMs,
      recoveredMs,
      boundMs: BOUND_MS,
      answered: replies.found,
      lookupFailed: replies.failed,
      jobsAfter: jobs,
      secondExited: second.exit(),
      secondLog: second.logCounts(),
    };
    if (heldJobs.active !== CUSTOMERS.length) failures.push(`the first process held ${heldJobs.active} active job(s), not ${CUSTOMERS.length}`);
    if (recoveredMs === null || recoveredMs > BOUND_MS)
      failures.push(`the dead process's jobs were done ${recoveredMs === null ? 'never' : `after ${recoveredMs} ms`} (bound ${BOUND_MS} ms)`);
    if (replies.found !== CUSTOMERS.length || replies.failed)
      failures.push(`answers: ${JSON.stringify(replies)}, expected ${CUSTOMERS.length} lookups, once each`);
    if (jobs.active) failures.push(`${jobs.active} inbound job(s) still active`);
    if (figures.secondExited) failures.push(`the second process exited: ${JSON.stringify(figures.secondExited)}`);
    const exit = await second.stop();
    if (exit.code !== 0) failures.push(`the second process did not stop cleanly on SIGTERM: ${JSON.stringify(exit)}`);
    return { ...figures, ok: failures.length === 0, failures, ...(failures.length ? { platformLogTail: second.logTail() } : {}) };
  } finally {
    await front.remove();
    await first?.remove();
    await second?.remove();
    for (const response of held) response.destroy();
    lookups.close();
    await database.close();
  }
}
