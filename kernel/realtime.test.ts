import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import { Server } from 'socket.io';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleEvents, LiveFrame } from '../contract/events.ts';
import { createTestDatabase } from '../test/harness/test-database.ts';
import { collectLogs, eventually, nextEvent, unwrapFrames } from '../test/harness/test-platform.ts';
import { createLogger } from './logger.ts';
import { createRealtime, type LiveEvent, type Realtime } from './realtime.ts';

/**
 * Realtime across processes, on real PostgreSQL: HTTP nodes (a socket.io server each, joined by the
 * PostgreSQL adapter) and a node without HTTP (the PostgreSQL emitter). Also holds the two patches of
 * patches/ (@socket.io/postgres-emitter: messages name their namespace; @socket.io/postgres-adapter:
 * its LISTEN connection lost neither ends the process nor keeps a pool slot): both fail unpatched.
 */
type Node = { url: string; io: Server; realtime: Realtime; close(): Promise<void> };

let database: Awaited<ReturnType<typeof createTestDatabase>>;
const logs = collectLogs();
const logger = createLogger('warn', logs.stream);
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
// Each test's nodes go away after it: the last one counts the LISTEN connections of the database.
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(() => database.drop());

/** A socket.io server whose sockets join the rooms their handshake names, attached to a realtime. */
async function httpNode(): Promise<Node> {
  const httpServer = createServer();
  const io = new Server(httpServer, { serveClient: false });
  const join = (socket: import('socket.io').Socket) => {
    void socket.join((socket.handshake.auth.rooms as string[] | undefined) ?? []);
    socket.emit('ready');
  };
  io.on('connection', join);
  io.of('/simulator').on('connection', join);
  const realtime = createRealtime({ logger, databaseUrl: database.url });
  realtime.attach(io);
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const node = {
    url: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`,
    io,
    realtime,
    async close() {
      await io.close();
      await realtime.close();
    },
  };
  closers.push(() => node.close());
  return node;
}

/** A process without HTTP: its realtime publishes through the emitter. */
function workerNode(frameMs?: number): Realtime {
  const realtime = createRealtime({ logger, databaseUrl: database.url, frameMs });
  closers.push(() => realtime.close());
  return realtime;
}

async function client(node: Node, rooms: string[], namespace = '/'): Promise<Socket> {
  const socket = unwrapFrames(connectSocket(`${node.url}${namespace}`, { transports: ['websocket'], auth: { rooms }, reconnection: false, forceNew: true }));
  closers.push(async () => socket.close());
  await new Promise<void>((resolve, reject) => {
    socket.once('ready', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/**
 * Publishes `event` until `socket` gets it: the first proof that a node listens (its adapter's
 * LISTEN is set up after it starts), or listens again (after its connection was lost).
 */
async function delivered(from: Realtime, socket: Socket, room: string): Promise<void> {
  const probe = `probe-${Math.random()}`;
  const arrived = nextEvent<{ id: string }>(socket, 'offer.withdrawn', (payload) => (payload as unknown as { probe: string }).probe === probe, 60_000);
  const timer = setInterval(() => from.publish([{ rooms: [room], event: 'offer.withdrawn', payload: { conversationId: 0, probe } as never }]), 200);
  try {
    await arrived;
  } finally {
    clearInterval(timer);
  }
}

const messageEvent = (room: string | string[], body: string): LiveEvent => ({
  rooms: Array.isArray(room) ? room : [room],
  event: 'message.created',
  payload: { id: 1, body } as never,
});

/** The `live` frames a socket receives, in order, and the bodies of the messages each carries. */
function framesOf(socket: Socket) {
  const frames: LiveFrame<ConsoleEvents>[] = [];
  socket.on('live', (frame: LiveFrame<ConsoleEvents>) => frames.push(frame));
  const bodies = (frame: LiveFrame<ConsoleEvents>) => frame.events.map(({ payload }) => (payload as { body?: string }).body);
  return {
    frames,
    bodies,
    carrying: (body: string) => eventually(() => frames.find((frame) => bodies(frame).includes(body)) ?? expect.fail(`no frame with ${body}`)),
  };
}

describe('live events in numbered frames', () => {
  it('come as one frame per socket and window, in the order published, each once, numbered per publisher and room', async () => {
    const [a, b] = [await httpNode(), await httpNode()];
    const supervisorOnA = await client(a, ['campaign:1']);
    const supervisorOnB = await client(b, ['campaign:1', 'user:9']);
    const prober = workerNode();
    await delivered(prober, supervisorOnA, 'campaign:1');
    await delivered(prober, supervisorOnB, 'campaign:1');
    // A wide window: what is published after a frame went out waits for the next one.
    const worker = workerNode(2_000);
    const [onA, onB] = [framesOf(supervisorOnA), framesOf(supervisorOnB)];

    worker.publish([messageEvent('campaign:1', 'first')]);
    // Nothing went out within the window: its frame goes at the next turn of the event loop.
    await new Promise(setImmediate);
    // Within the window that follows: one frame each, when it ends.
    worker.publish([messageEvent(['campaign:1', 'user:9'], 'second')]);
    worker.publish([messageEvent('user:9', 'third'), messageEvent('campaign:1', 'fourth')]);
    const [first, next, together] = [await onA.carrying('first'), await onA.carrying('fourth'), await onB.carrying('fourth')];

    expect(onA.bodies(first)).toEqual(['first']);
    expect(onA.bodies(next)).toEqual(['second', 'fourth']);
    const seq = first.seqs['campaign:1']!;
    expect(next.seqs).toEqual({ 'campaign:1': seq + 1 });
    expect(next.publisher).toBe(first.publisher);
    // B's supervisor is in both rooms: 'second' (addressed to both) comes once, in order, in one frame numbered in each room.
    expect(onB.bodies(together)).toEqual(['second', 'third', 'fourth']);
    expect(together.seqs).toEqual({ 'campaign:1': seq + 1, 'user:9': expect.any(Number) });
    expect(onB.frames.filter((frame) => onB.bodies(frame).includes('second'))).toHaveLength(1);
  });

  it('skip a number after a frame that never reached the other nodes, so its sockets see they missed it', async () => {
    const node = await httpNode();
    const worker = workerNode();
    const agent = await client(node, ['user:5']);
    await delivered(worker, agent, 'user:5');
    const { frames, carrying } = framesOf(agent);
    worker.publish([messageEvent('user:5', 'before')]);
    const before = await carrying('before');

    // The next frame is too large for a NOTIFY and its row cannot be written: it is lost.
    const admin = postgres(database.url, { max: 1, onnotice: () => {} });
    closers.push(() => admin.end());
    await admin`alter table live_event_attachments rename to live_event_attachments_away`;
    try {
      worker.publish([messageEvent('user:5', `lost ${'ñ'.repeat(6000)}`)]);
      // Its room is numbered again in an empty frame, which reaches the socket without the lost one.
      const gap = await eventually(() => frames.find((frame) => frame.seqs['user:5']! > before.seqs['user:5']!) ?? expect.fail('no later frame'));
      expect(gap).toMatchObject({ publisher: before.publisher, seqs: { 'user:5': before.seqs['user:5']! + 2 }, events: [] });
    } finally {
      await admin`alter table live_event_attachments_away rename to live_event_attachments`;
    }
    worker.publish([messageEvent('user:5', 'after')]);
    expect((await carrying('after')).seqs).toEqual({ 'user:5': before.seqs['user:5']! + 3 });
    expect(frames.flatMap((frame) => frame.events).filter(({ event }) => event === 'message.created')).toHaveLength(2);
    expect(logs.text()).toContain('live events between nodes: database error');
  });

  it('tell the sockets to read their state again when a process starts (the one it replaces may have died with frames unsent)', async () => {
    const node = await httpNode();
    const agent = await client(node, ['user:6']);
    await delivered(workerNode(), agent, 'user:6');
    const told = nextEvent<{ reason: string }>(agent, 'live.resync');
    workerNode();
    expect(await told).toEqual({ reason: 'publisher-started' });
  });
});

describe('live events across nodes through PostgreSQL', () => {
  it('reach the sockets of every HTTP node from a process without HTTP, in both namespaces, however large', async () => {
    const [a, b] = [await httpNode(), await httpNode()];
    const worker = workerNode();
    const onA = await client(a, ['user:1']);
    const onB = await client(b, ['user:1']);
    const phone = await client(b, ['phone:1:+59899000001'], '/simulator');
    await delivered(worker, onA, 'user:1');
    await delivered(worker, onB, 'user:1');

    // Past a NOTIFY payload's limit (8000 bytes), the event goes through live_event_attachments.
    const long = 'ñ'.repeat(6000);
    const received = Promise.all([
      nextEvent(onA, 'message.created', (m) => m.body === long),
      nextEvent(onB, 'message.created', (m) => m.body === long),
      nextEvent(phone, 'message', (m) => m.text === 'to the phone'),
    ]);
    worker.publish([
      messageEvent('user:1', long),
      { namespace: '/simulator', rooms: ['phone:1:+59899000001'], event: 'message', payload: { text: 'to the phone' } as never },
    ]);
    await received;
  });

  it('join, leave and disconnect the matching sockets of every node, from a process without HTTP', async () => {
    const [a, b] = [await httpNode(), await httpNode()];
    const worker = workerNode();
    const supervisorOnA = await client(a, ['group:7']);
    const supervisorOnB = await client(b, ['group:7']);
    const agentOnB = await client(b, ['user:2']);
    await delivered(worker, supervisorOnA, 'group:7');
    await delivered(worker, supervisorOnB, 'group:7');

    worker.joinRooms(['group:7'], 'campaign:9');
    const rooms = async (node: Node) =>
      [...(await node.io.local.fetchSockets())].map((socket) => [...socket.rooms].filter((room) => room.includes(':')).sort());
    await eventually(async () => expect(await rooms(a)).toEqual([['campaign:9', 'group:7']]));
    await eventually(async () => expect((await rooms(b)).sort()).toEqual([['campaign:9', 'group:7'], ['user:2']]));

    worker.leaveRooms(['group:7'], 'campaign:9');
    await eventually(async () => expect(await rooms(a)).toEqual([['group:7']]));
    await eventually(async () => expect((await rooms(b)).sort()).toEqual([['group:7'], ['user:2']]));

    const gone = new Promise((resolve) => agentOnB.once('disconnect', resolve));
    worker.disconnect('user:2');
    expect(await gone).toBe('io server disconnect');
    expect(supervisorOnB.connected).toBe(true);
  });

  it("reach the other HTTP nodes' sockets from an HTTP node, but for the figures each node computes itself", async () => {
    const [a, b] = [await httpNode(), await httpNode()];
    const supervisorOnA = await client(a, ['campaign:3']);
    const supervisorOnB = await client(b, ['campaign:3']);
    await delivered(a.realtime, supervisorOnB, 'campaign:3');
    const figuresOnB: unknown[] = [];
    supervisorOnB.on('monitor.campaign', (figures) => figuresOnB.push(figures));

    const onA = nextEvent(supervisorOnA, 'monitor.campaign');
    const onB = nextEvent(supervisorOnB, 'message.created', (m) => m.body === 'after the figures');
    a.realtime.publish([
      { rooms: ['campaign:3'], event: 'monitor.campaign', payload: { campaignId: 3 } as never },
      messageEvent('campaign:3', 'after the figures'),
    ]);
    expect(await onA).toMatchObject({ campaignId: 3 });
    // A's events reach B in the order A published them: the figures would have come first.
    await onB;
    expect(figuresOnB).toEqual([]);
    // Fetching sockets asks every node (once A has heard B's heartbeat).
    await eventually(async () => expect(await a.io.in('campaign:3').fetchSockets()).toHaveLength(2));
  });

  it('listen again when their LISTEN connection is lost, without ending the process or keeping its pool slot', async () => {
    const node = await httpNode();
    const worker = workerNode();
    const socket = await client(node, ['user:5']);
    await delivered(worker, socket, 'user:5');
    const admin = postgres(database.url, { max: 1, onnotice: () => {} });
    closers.push(() => admin.end());
    // The adapter's pool has two connections: one listens, one publishes (heartbeats). Each lost
    // LISTEN connection kept out of the pool would leave one fewer, and the third loss none.
    for (let loss = 1; loss <= 3; loss++) {
      const listening = () => admin<{ pid: number }[]>`
        select pid from pg_stat_activity
         where datname = current_database() and application_name = 'omnichat-live' and query like 'LISTEN%'`;
      const [backend] = await eventually(async () => {
        const rows = await listening();
        expect(rows).toHaveLength(1);
        return rows;
      });
      // What was NOTIFYed meanwhile never reached the node: it tells its sockets to read their state again.
      const told = nextEvent<{ reason: string }>(socket, 'live.resync', (notice) => notice.reason === 'node-listening');
      await admin`select pg_terminate_backend(${backend!.pid})`;
      await told;
      await delivered(worker, socket, 'user:5');
    }
    expect(logs.text()).toContain('live events between nodes: database error');
  });
});
