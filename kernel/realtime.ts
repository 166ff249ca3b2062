import { randomBytes } from 'node:crypto';
import { createAdapter } from '@socket.io/postgres-adapter';
import { Emitter } from '@socket.io/postgres-emitter';
import pg from 'pg';
import type { Server } from 'socket.io';
import type { ConsoleEvents, LiveResync, SimulatorEvents } from '../contract/events.ts';
import { buildFlush, deliverFlush, FRAMES_EVENT, type Flush, type FramesMessage } from './live-frames.ts';
import type { Logger } from './logger.ts';

type EventOf<Events, Namespace> = { [K in keyof Events]: { namespace: Namespace; rooms: string[]; event: K; payload: Events[K] } }[keyof Events];

/** A live update for the console or the simulator, published only after its transaction commits; typed by `contract/events.ts`. */
export type LiveEvent = (Omit<EventOf<ConsoleEvents, '/'>, 'namespace'> & { namespace?: '/' }) | EventOf<SimulatorEvents, '/simulator'>;

/**
 * Live events on every node: published from any process, they reach the sockets of every HTTP node
 * through PostgreSQL (NOTIFY), whichever node holds the socket and whichever process produced the event,
 * coalesced per room into numbered frames (`contract/events.ts`, `LiveFrame`) so a socket that missed one knows.
 */
export type Realtime = {
  /** Buffers events for the next frames of their rooms (at once when idle, else at the end of the window). */
  publish(events: readonly LiveEvent[]): void;
  /** This process serves sockets: publish through `io`, joined to the other HTTP nodes by socket.io's PostgreSQL adapter. */
  attach(io: Server): void;
  /** Disconnects the console sockets in a room (a logged-out session, a user logged out by a supervisor). */
  disconnect(room: string): void;
  /** Makes every socket in `fromRooms` join `room` too (supervisors joining a new campaign's room). */
  joinRooms(fromRooms: string[], room: string): void;
  /** Makes every socket in `fromRooms` leave `room`. */
  leaveRooms(fromRooms: string[], room: string): void;
  /** Called with the campaigns each published batch touches (their live figures change). */
  onCampaignEvents(listener: (campaignIds: number[]) => void): void;
  /** Sends what is buffered, then ends the database connections; once the socket.io server is closed (it gives its LISTEN connection back then). */
  close(): Promise<void>;
};

/** Room names in one place so emitters and joiners agree. */
export const rooms = Object.freeze({
  user: (userId: number) => `user:${userId}`,
  session: (tokenHash: string) => `session:${tokenHash}`,
  campaign: (campaignId: number) => `campaign:${campaignId}`,
  /** Supervisors and admins watching conversations that have no campaign yet. */
  unrouted: 'unrouted',
  /** Admins: channel session states (pairing QR, connected, errors). */
  admins: 'admins',
  /** Every supervisor (campaigns without a security group are theirs to watch). */
  supervisors: 'supervisors',
  /** The supervisors of one security group. */
  securityGroup: (groupId: number) => `group:${groupId}`,
  phone: (channelId: number, address: string) => `phone:${channelId}:${address}`,
});

/** Who watches a campaign's room: admins and, by its security group, that group's supervisors or all of them. */
export function campaignWatchers(securityGroupId: number | null): string[] {
  return [rooms.admins, securityGroupId === null ? rooms.supervisors : rooms.securityGroup(securityGroupId)];
}

/**
 * How the nodes meet in PostgreSQL: NOTIFY channels `omnichat_live#/` and `omnichat_live#/simulator`
 * (a NOTIFY reaches the sessions of its own database only), and a table for messages too large for a
 * NOTIFY payload, which must stay under 8000 bytes.
 */
const CLUSTER = { channelPrefix: 'omnichat_live', tableName: 'live_event_attachments', payloadThreshold: 7_900 } as const;

const NAMESPACES = ['/', '/simulator'] as const;

/**
 * Figures every HTTP node computes for its own sockets (`routing/monitor-publisher.ts`,
 * `dialer/dialer-monitor.ts`): sent across nodes, a supervisor would get one copy per HTTP node.
 */
const NODE_LOCAL_EVENTS: ReadonlySet<string> = new Set<LiveEvent['event']>(['monitor.campaign', 'monitor.agents', 'dialer.monitor']);

/** How long events wait to share a frame after the previous frames went out, unless told (`LIVE_FRAME_MS`). */
const FRAME_MS = 50;

/** After frames failed to reach the other nodes, when their rooms are numbered again (an empty frame shows the gap). */
const RETRY_MS = 1000;

/** While the database is away every publish and heartbeat fails: one line per this many seconds says so. */
const ERROR_LOG_SECONDS = 10;

/** What publishing needs of a socket.io namespace or of an emitter for one. */
type Broadcaster = {
  in(rooms: string | string[]): { socketsJoin(room: string): void; socketsLeave(room: string): void; disconnectSockets(close: boolean): void };
};

/** An emitter that says whether its message was published (patched, see patches/). */
type FramesEmitter = { serverSideEmit(event: string, message: FramesMessage): Promise<boolean> };

/** This process's frames of one namespace. */
type Lane = {
  namespace: (typeof NAMESPACES)[number];
  /** The last frame number of each room this process published to. */
  seqs: Map<string, number>;
  /** Rooms whose last frames never reached the other nodes: the next flush numbers them again. */
  unsent: Set<string>;
  /** Flushes waiting for their NOTIFY, oldest first. */
  outbox: Flush[];
  /** The NOTIFY under way. */
  sending: Promise<void> | null;
  /** Whether the other nodes heard that this process started. */
  announced: boolean;
};

/**
 * Events are buffered and go out as frames: at the next turn of the event loop when nothing went out
 * within the last `frameMs` (a lone event waits for nothing), else when that window ends, so a burst
 * costs one frame per socket instead of one emit per event. A flush is delivered at once to this
 * node's sockets, and NOTIFYed to the other HTTP nodes, one message at a time and in order, through
 * socket.io's PostgreSQL emitter (`serverSideEmit`; every HTTP node's adapter hands it to
 * `deliverFlush`). Frames that could not be NOTIFYed leave their rooms `unsent`: the next flush (a
 * second later if nothing else comes) numbers those rooms again, so their sockets see the gap.
 * Joins, leaves and disconnects go through the adapter (HTTP node) or the emitter, as socket.io does them.
 */
export function createRealtime(input: { logger: Logger; databaseUrl: string; frameMs?: number }): Realtime {
  const { logger } = input;
  const frameMs = input.frameMs ?? FRAME_MS;
  const publisher = randomBytes(6).toString('base64url');
  let io: Server | undefined;
  let adapterPool: pg.Pool | undefined;
  let emitterPool: pg.Pool | undefined;
  const emitters = new Map<string, Broadcaster>();
  const framesEmitters = new Map<string, FramesEmitter>();
  let stopping = false;
  let ended = false;
  let campaignListener: ((campaignIds: number[]) => void) | undefined;
  const CAMPAIGN_ROOM = /^campaign:(\d+)$/;
  const lanes: Lane[] = NAMESPACES.map((namespace) => ({ namespace, seqs: new Map(), unsent: new Set(), outbox: [], sending: null, announced: false }));
  let pending: LiveEvent[] = [];
  let cancelFlush: (() => void) | undefined;
  let lastFlushAt = Number.NEGATIVE_INFINITY;
  let retryTimer: NodeJS.Timeout | undefined;

  let errorLoggedAt = 0;
  let unlogged = 0;
  /** Failures of the adapter, the emitter and their pools: the libraries retry (LISTEN) or drop the message (NOTIFY). */
  const report = (error: unknown) => {
    if (ended) return;
    if (Date.now() - errorLoggedAt < ERROR_LOG_SECONDS * 1000) return void unlogged++;
    logger.warn({ err: error, similarSinceLastLine: unlogged }, 'live events between nodes: database error');
    errorLoggedAt = Date.now();
    unlogged = 0;
  };
  const openPool = (max: number, applicationName: string) => {
    const pool = new pg.Pool({ connectionString: input.databaseUrl, max, application_name: applicationName, connectionTimeoutMillis: 10_000 });
    // pg-pool emits the error of an idle client (PostgreSQL restarting) here; unheard, it would end the process.
    pool.on('error', report);
    return pool;
  };
  /** The pool of a process without HTTP, or of an HTTP node before `attach`. */
  const ownPool = () => {
    emitterPool ??= openPool(1, 'omnichat-live-emitter');
    return emitterPool;
  };
  const emitterOf = (namespace: string): Broadcaster => {
    let emitter = emitters.get(namespace);
    if (!emitter) {
      emitter = new Emitter(ownPool(), namespace, { ...CLUSTER, errorHandler: report }) as unknown as Broadcaster;
      emitters.set(namespace, emitter);
    }
    return emitter;
  };
  /** The sockets of a namespace on every HTTP node. */
  const everywhere = (namespace: string): Broadcaster => (io ? (io.of(namespace) as unknown as Broadcaster) : emitterOf(namespace));
  /**
   * Frames go out through an emitter that says whether they did. An HTTP node's publishes on its
   * adapter's pool with its adapter's uid, so its own adapter skips them (delivered here already).
   */
  const framesEmitterOf = (namespace: string): FramesEmitter => {
    let emitter = framesEmitters.get(namespace);
    if (!emitter) {
      const uid = io ? (io.of(namespace).adapter as unknown as { uid: string }).uid : undefined;
      emitter = new Emitter(adapterPool ?? ownPool(), namespace, { ...CLUSTER, errorHandler: report, ...(uid ? { uid } : {}) }) as unknown as FramesEmitter;
      framesEmitters.set(namespace, emitter);
    }
    return emitter;
  };

  const deliver = (namespace: string, from: string, flush: Flush) => {
    if (!io) return;
    try {
      deliverFlush(io.of(namespace), from, flush);
    } catch (error) {
      logger.warn({ err: error, namespace }, 'live events not delivered');
    }
  };
  /** Tells this node's sockets that they may have missed frames: they read their state again. */
  const resyncSockets = (namespace: string, reason: LiveResync['reason']) => io?.of(namespace).local.emit('live.resync', { reason } satisfies LiveResync);

  const schedule = () => {
    if (cancelFlush) return;
    const wait = lastFlushAt + frameMs - performance.now();
    if (wait > 0) {
      const timer = setTimeout(flush, wait);
      cancelFlush = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(flush);
      cancelFlush = () => clearImmediate(immediate);
    }
  };
  function flush() {
    cancelFlush?.();
    cancelFlush = undefined;
    lastFlushAt = performance.now();
    const events = pending;
    pending = [];
    for (const lane of lanes) {
      const mine = events.filter((event) => (event.namespace ?? '/') === lane.namespace);
      if (mine.length || lane.unsent.size) {
        const { local, cluster } = buildFlush(mine, lane.seqs, lane.unsent, (event) => NODE_LOCAL_EVENTS.has(event));
        lane.unsent.clear();
        deliver(lane.namespace, publisher, local);
        if (cluster) lane.outbox.push(cluster);
      }
      send(lane);
    }
  }
  /** NOTIFYs a lane's waiting flushes as one message, one message at a time: the other nodes get them in order. */
  function send(lane: Lane): void {
    if (lane.sending || (lane.announced && !lane.outbox.length) || (stopping && !lane.outbox.length)) return;
    const message: FramesMessage = { publisher, flushes: lane.outbox.splice(0), ...(lane.announced ? {} : { started: true as const }) };
    lane.sending = framesEmitterOf(lane.namespace)
      .serverSideEmit(FRAMES_EVENT, message)
      .catch((error: unknown) => {
        report(error);
        return false;
      })
      .then((sent) => {
        lane.sending = null;
        if (sent) {
          lane.announced = true;
          return send(lane);
        }
        for (const { rooms: lost } of message.flushes) for (const { room } of lost) lane.unsent.add(room);
        retryLater();
      });
  }
  const retryLater = () => {
    if (stopping || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      flush();
    }, RETRY_MS);
  };

  // Tell the other nodes this process started: one that stopped before it may have died with frames unsent.
  for (const lane of lanes) send(lane);

  return {
    onCampaignEvents(listener) {
      campaignListener = listener;
    },
    attach(server) {
      adapterPool = openPool(2, 'omnichat-live');
      const onListening = () => {
        for (const namespace of NAMESPACES) resyncSockets(namespace, 'node-listening');
      };
      server.adapter(createAdapter(adapterPool, { ...CLUSTER, errorHandler: report, onListening }));
      io = server;
      framesEmitters.clear();
      for (const namespace of NAMESPACES) {
        server.of(namespace).on(FRAMES_EVENT, (message: FramesMessage) => {
          // Before `attach`, this node's frames went out as any process's.
          if (message.publisher === publisher) return;
          if (message.started) resyncSockets(namespace, 'publisher-started');
          for (const received of message.flushes) deliver(namespace, message.publisher, received);
        });
      }
    },
    disconnect(room) {
      if (!stopping) everywhere('/').in(room).disconnectSockets(true);
    },
    joinRooms(fromRooms, room) {
      if (fromRooms.length && !stopping) everywhere('/').in(fromRooms).socketsJoin(room);
    },
    leaveRooms(fromRooms, room) {
      if (fromRooms.length && !stopping) everywhere('/').in(fromRooms).socketsLeave(room);
    },
    publish(events) {
      if (campaignListener) {
        const touched = new Set<number>();
        for (const { event, rooms: targets } of events) {
          if (event.startsWith('monitor.')) continue;
          for (const room of targets) {
            const match = CAMPAIGN_ROOM.exec(room);
            if (match) touched.add(Number(match[1]));
          }
        }
        if (touched.size) campaignListener([...touched]);
      }
      if (stopping) return;
      for (const event of events) if (event.rooms.length) pending.push(event);
      if (pending.length) schedule();
    },
    async close() {
      stopping = true;
      clearTimeout(retryTimer);
      flush();
      for (let under = lanes.map((lane) => lane.sending); under.some(Boolean); under = lanes.map((lane) => lane.sending)) await Promise.all(under);
      ended = true;
      await Promise.all([adapterPool?.end(), emitterPool?.end()]);
    },
  };
}
