/**
 * Console sockets of the `fanout` bench, in a process of their own so they never share the server's
 * event loop: socket.io-client over WebSocket (`transports: ['websocket']`, as the tests' clients),
 * each with its own session cookie when given one.
 *
 * Every event is read, whatever its name and shape: the bench's stamp (`benchSentAt`, epoch ms, and
 * `benchSeq`) is looked for in the event's arguments, in an object, in an array of events or in
 * objects nested a few levels deep (a frame of coalesced events carries several), and each stamp
 * found is one delivery: its latency is this process's clock at arrival minus the stamp.
 *
 * Ops: `connect` ({ url, cookies | null, count, concurrency }), `count` (deliveries so far),
 * `collect` (latencies, the latest arrival per event, event names seen; then forgets them), `close`.
 */
import { io, type Socket } from 'socket.io-client';
import { serveParent } from './bench-child.ts';
import { wallClockMs } from './stats.ts';

let sockets: Socket[] = [];
let latencies: number[] = [];
/** Per event (benchSeq): the latest arrival's latency, over this process's sockets. */
let slowest = new Map<number, number>();
let names: Record<string, number> = {};
let delivered = 0;

function record(value: unknown, at: number, depth: number): void {
  if (depth > 6 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) record(item, at, depth + 1);
    return;
  }
  const stamped = value as { benchSentAt?: unknown; benchSeq?: unknown };
  if (typeof stamped.benchSentAt === 'number') {
    const latency = at - stamped.benchSentAt;
    latencies.push(latency);
    delivered++;
    if (typeof stamped.benchSeq === 'number') slowest.set(stamped.benchSeq, Math.max(slowest.get(stamped.benchSeq) ?? Number.NEGATIVE_INFINITY, latency));
    return;
  }
  for (const inner of Object.values(value)) record(inner, at, depth + 1);
}

function connectOne(url: string, cookie: string | null): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 60_000,
      ...(cookie ? { extraHeaders: { cookie } } : {}),
    });
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('no `ready` within 60 s'));
    }, 60_000);
    socket.onAny((event: string, ...args: unknown[]) => {
      const at = wallClockMs();
      names[event] = (names[event] ?? 0) + 1;
      record(args, at, 0);
    });
    socket.once('ready', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
  });
}

async function connect(payload: Record<string, unknown>) {
  const { url, cookies, count, concurrency } = payload as { url: string; cookies: string[] | null; count: number; concurrency: number };
  const started = wallClockMs();
  let next = 0;
  let failed = 0;
  let firstError: string | null = null;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        try {
          sockets.push(await connectOne(url, cookies ? cookies[i]! : null));
        } catch (error) {
          failed++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  names = {};
  return { connected: sockets.length, failed, firstError, seconds: (wallClockMs() - started) / 1000 };
}

serveParent(
  {
    connect,
    count: () => ({ delivered, connected: sockets.filter((socket) => socket.connected).length }),
    collect() {
      const result = { latencies, slowest: [...slowest], names, delivered, cpu: process.cpuUsage() };
      latencies = [];
      slowest = new Map();
      names = {};
      delivered = 0;
      return result;
    },
    close() {
      for (const socket of sockets) socket.close();
      sockets = [];
      return null;
    },
  },
  {},
  () => {
    for (const socket of sockets) socket.close();
  },
);
