import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { Server } from 'socket.io';
import type { ConversationSummary } from '../contract/conversations.ts';
import { connectDatabase } from '../db/connection.ts';
import { applyMigrations } from '../db/migrate.ts';
import { users } from '../db/schema/index.ts';
import { createSession, SESSION_COOKIE } from '../api/sessions.ts';
import { loadConfig } from '../kernel/config.ts';
import { createLogger } from '../kernel/logger.ts';
import { audience } from '../messages/message-events.ts';
import { startPlatform, type Platform } from '../server/platform.ts';
import { buildCampaign } from '../test/harness/factories.ts';
import { forkBenchChild, type BenchChild } from './bench-child.ts';
import { benchDatabase } from './bench-database.ts';
import { processCpuMs } from './proc-cpu.ts';
import { latencySummary, machineLoad, round, wallClockMs } from './stats.ts';

export type FanoutBenchOptions = {
  /** Sockets connected at once, one run per value. */
  clients: number[];
  /** Events published per run. */
  events: number;
  /** Events a second, published `burst` at a time (in one tick of the event loop). */
  ratePerSecond: number;
  burst: number;
  /** Processes the sockets are spread over. */
  clientProcesses: number;
  databaseUrl?: string;
};

/** Issue 15: the platform's p99 at most half the bare server's. */
const GOAL_P99_RATIO = 0.5;
const EVENT = 'conversation.upserted';
const CONNECT_CONCURRENCY = 50;
/** Deliveries stop being awaited after this long without one more. */
const STALL_MS = 5_000;

type Collected = { latencies: number[]; slowest: [number, number][]; names: Record<string, number>; delivered: number };
type Emit = (payload: ConversationSummary & { benchSentAt: number; benchSeq: number }) => void;

/**
 * `fanout`: N console sockets (socket.io-client, real sockets, in `clientProcesses` processes of their
 * own) in one room, the supervisors of one campaign; `events` conversation updates published to that
 * room, each stamped with the time it was published; latency is each socket's arrival minus the stamp
 * (clocks of one machine). Baseline in the same run: a bare socket.io server (this process, another
 * port) with as many sockets in one room and the same payloads, `io.to(room).emit`. The platform:
 * `ROLES=http` in this process; each socket is a logged-in supervisor (its own session cookie),
 * authenticated and joined to its rooms by api/socket-server.ts; events published by
 * `platform.services.realtime.publish`, to the rooms a campaign's conversation goes to (`audience`).
 */
export async function run(options: FanoutBenchOptions) {
  const logger = createLogger('warn', pino.destination(2));
  const machineAtStart = machineLoad();
  const database = await benchDatabase('fanout', options.databaseUrl, logger);
  const children: BenchChild[] = [];
  let seeding: ReturnType<typeof connectDatabase> | null = null;
  try {
    seeding = connectDatabase(database.databaseUrl, { max: 4, applicationName: 'omnichat-bench-seed' });
    await applyMigrations(seeding.sql);
    const campaign = await buildCampaign(seeding.db, {});
    const most = Math.max(...options.clients);
    const supervisors = await seeding.db
      .insert(users)
      .values(
        Array.from({ length: most }, (_, i) => ({
          username: `bench-supervisor-${i}`,
          displayName: `Supervisor ${i}`,
          role: 'supervisor' as const,
          passwordHash: '-',
        })),
      )
      .returning({ id: users.id });
    const cookies: string[] = [];
    for (let i = 0; i < supervisors.length; i += 50) {
      const tokens = await Promise.all(supervisors.slice(i, i + 50).map((user) => createSession(seeding!.db, { userId: user.id, ttlHours: 12 })));
      cookies.push(...tokens.map(({ token }) => `${SESSION_COOKIE}=${token}`));
    }
    await seeding.close();
    seeding = null;

    for (let i = 0; i < options.clientProcesses; i++) {
      children.push(await forkBenchChild(new URL('./fanout-clients-child.ts', import.meta.url), { name: `socket clients ${i + 1}` }));
    }
    const rooms = audience(campaign.id, null);
    const now = new Date().toISOString();
    const summary: ConversationSummary = {
      id: 1,
      status: 'queued',
      closeReason: null,
      campaign: { id: campaign.id, name: campaign.name },
      channel: { id: 1, name: 'WhatsApp Business', type: 'whatsapp_cloud' },
      customer: { address: '+59899400001', name: 'Bench Customer' },
      assignedTo: null,
      lastMessage: { body: 'Hello, I would like to know where my order is, it was due yesterday.', authorType: 'contact', at: now },
      openedAt: now,
      queuedAt: now,
      assignedAt: null,
      closedAt: null,
      lastMessageAt: now,
      chatTimeExceededAt: null,
    };

    const runs: Record<string, unknown> = {};
    for (const clients of options.clients) {
      // The bare server: nothing but socket.io, its sockets joined to the same room.
      const httpServer = createServer();
      const bare = new Server(httpServer, { serveClient: false });
      bare.on('connection', (socket) => {
        void socket.join(rooms);
        socket.emit('ready', {});
      });
      await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
      let bareResult: Awaited<ReturnType<typeof measure>>;
      try {
        bareResult = await measure({
          url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`,
          cookies: null,
          clients,
          children,
          options,
          emit: (payload) => bare.to(rooms).emit(EVENT, payload),
          summary,
        });
      } finally {
        await bare.close();
      }

      const config = loadConfig({ ROLES: 'http', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', SEED_DEMO: 'false', DATA_DIR: '/tmp/omnichat-bench-data' });
      const platform: Platform = await startPlatform({ config, logger, databaseUrl: database.databaseUrl });
      let platformResult: Awaited<ReturnType<typeof measure>>;
      try {
        platformResult = await measure({
          url: platform.url!,
          cookies,
          clients,
          children,
          options,
          emit: (payload) => platform.services.realtime.publish([{ rooms, event: EVENT, payload }]),
          summary,
        });
        // Each socket that goes away is a presence transaction: let them finish before the pool closes.
        for (const deadline = Date.now() + 30_000; platform.io!.engine.clientsCount > 0 && Date.now() < deadline; ) await sleep(100);
        await sleep(2_000);
      } finally {
        await platform.stop();
      }
      const bareP99 = bareResult.latencyMs.p99;
      const platformP99 = platformResult.latencyMs.p99;
      const ratio = bareP99 && platformP99 !== null ? round(platformP99 / bareP99, 2) : null;
      runs[String(clients)] = {
        bare: bareResult,
        platform: platformResult,
        p99Ratio: ratio,
        goal: `platform p99 <= ${GOAL_P99_RATIO} x bare p99: ${ratio !== null && ratio <= GOAL_P99_RATIO ? 'met' : 'not met'}`,
      };
    }
    return {
      bench: 'fanout',
      events: options.events,
      ratePerSecond: options.ratePerSecond,
      burst: options.burst,
      clientProcesses: options.clientProcesses,
      machine: { atStart: machineAtStart, atEnd: machineLoad() },
      event: `${EVENT} (a ConversationSummary of ${JSON.stringify(summary).length} bytes plus benchSentAt and benchSeq) to ${JSON.stringify(rooms)}`,
      runs,
    };
  } finally {
    await Promise.allSettled(children.map((child) => child.close()));
    await seeding?.close();
    await database.drop();
  }
}

/** Connects `clients` sockets, publishes the events on schedule, waits for them to arrive, collects the latencies, disconnects. */
async function measure(input: {
  url: string;
  cookies: string[] | null;
  clients: number;
  children: BenchChild[];
  options: FanoutBenchOptions;
  emit: Emit;
  summary: ConversationSummary;
}) {
  const { children, options, clients } = input;
  const shares = children.map((_, c) => Math.floor(clients / children.length) + (c < clients % children.length ? 1 : 0));
  const connectStarted = wallClockMs();
  const connected = await Promise.all(
    children.map((child, c) =>
      child.request<{ connected: number; failed: number; firstError: string | null }>('connect', {
        url: input.url,
        cookies: input.cookies ? input.cookies.filter((_, i) => i % children.length === c).slice(0, shares[c]) : null,
        count: shares[c]!,
        concurrency: CONNECT_CONCURRENCY,
      }),
    ),
  );
  const connectSeconds = (wallClockMs() - connectStarted) / 1000;
  const sockets = connected.reduce((sum, result) => sum + result.connected, 0);
  if (sockets < clients) {
    throw new Error(`only ${sockets} of ${clients} sockets connected to ${input.url}: ${connected.find((result) => result.firstError)?.firstError}`);
  }
  // Whatever connecting set off (presence, live figures) settles before the first event.
  await sleep(1_000);
  await Promise.all(children.map((child) => child.request('collect')));

  const serverCpu = process.cpuUsage();
  const clientCpu = children.map((child) => processCpuMs(child.pid) ?? Number.NaN);
  const interval = (1000 * options.burst) / options.ratePerSecond;
  const started = wallClockMs();
  for (let tick = 0, seq = 0; seq < options.events; tick++) {
    await sleep(Math.max(0, started + tick * interval - wallClockMs()));
    for (let b = 0; b < options.burst && seq < options.events; b++, seq++) {
      input.emit({ ...input.summary, id: seq + 1, benchSeq: seq, benchSentAt: wallClockMs() });
    }
  }
  const publishSeconds = (wallClockMs() - started) / 1000;
  const expected = sockets * options.events;
  let delivered = 0;
  for (let changedAt = Date.now(); delivered < expected && Date.now() - changedAt < STALL_MS; ) {
    await sleep(100);
    const counts = await Promise.all(children.map((child) => child.request<{ delivered: number }>('count')));
    const now = counts.reduce((sum, count) => sum + count.delivered, 0);
    if (now !== delivered) changedAt = Date.now();
    delivered = now;
  }
  const serverUsed = process.cpuUsage(serverCpu);
  const clientCpuMs = children.reduce((sum, child, c) => sum + ((processCpuMs(child.pid) ?? Number.NaN) - clientCpu[c]!), 0);
  const collected = await Promise.all(children.map((child) => child.request<Collected>('collect')));
  await Promise.all(children.map((child) => child.request('close')));

  const latencies = collected.flatMap((result) => result.latencies);
  const slowest = new Map<number, number>();
  for (const result of collected) for (const [seq, ms] of result.slowest) slowest.set(seq, Math.max(slowest.get(seq) ?? Number.NEGATIVE_INFINITY, ms));
  const names: Record<string, number> = {};
  for (const result of collected) for (const [name, count] of Object.entries(result.names)) names[name] = (names[name] ?? 0) + count;
  return {
    clients: sockets,
    connectSeconds: round(connectSeconds, 1),
    publishSeconds: round(publishSeconds, 2),
    delivered: latencies.length,
    missing: expected - latencies.length,
    latencyMs: latencySummary(latencies),
    /** Per event, until the last socket had it. */
    lastSocketMs: latencySummary([...slowest.values()]),
    /** What the sockets received, by event name (frames of events would show here under their own name). */
    received: names,
    serverCpuMsPerEvent: round((serverUsed.user + serverUsed.system) / 1000 / options.events, 2),
    clientCpuMsPerDelivery: round(clientCpuMs / Math.max(1, latencies.length), 4),
  };
}
