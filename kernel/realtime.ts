import { createAdapter } from '@socket.io/postgres-adapter';
import { Emitter } from '@socket.io/postgres-emitter';
import pg from 'pg';
import type { Server } from 'socket.io';
import type { ConsoleEvents, SimulatorEvents } from '../contract/events.ts';
import type { Logger } from './logger.ts';

type EventOf<Events, Namespace> = { [K in keyof Events]: { namespace: Namespace; rooms: string[]; event: K; payload: Events[K] } }[keyof Events];

/** A live update for the console or the simulator, published only after its transaction commits; typed by `contract/events.ts`. */
export type LiveEvent = (Omit<EventOf<ConsoleEvents, '/'>, 'namespace'> & { namespace?: '/' }) | EventOf<SimulatorEvents, '/simulator'>;

/**
 * Live events on every node: published from any process, they reach the sockets of every HTTP node
 * through PostgreSQL (NOTIFY), whichever node holds the socket and whichever process produced the event.
 */
export type Realtime = {
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
  /** Ends the database connections; once the socket.io server is closed (it gives its LISTEN connection back then). */
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
 * (a NOTIFY reaches the sessions of its own database only), and a table for events too large for a
 * NOTIFY payload, which must stay under 8000 bytes.
 */
const CLUSTER = { channelPrefix: 'omnichat_live', tableName: 'live_event_attachments', payloadThreshold: 7_900 } as const;

/**
 * Figures every HTTP node computes for its own sockets (`routing/monitor-publisher.ts`,
 * `dialer/dialer-monitor.ts`): sent across nodes, a supervisor would get one copy per HTTP node.
 */
const NODE_LOCAL_EVENTS: ReadonlySet<string> = new Set<LiveEvent['event']>(['monitor.campaign', 'monitor.agents', 'dialer.monitor']);

/** While the database is away every publish and heartbeat fails: one line per this many seconds says so. */
const ERROR_LOG_SECONDS = 10;

/** What publishing needs of a socket.io namespace or of an emitter for one. */
type Broadcaster = {
  to(rooms: string[]): { emit(event: string, payload: unknown): unknown };
  in(rooms: string | string[]): { socketsJoin(room: string): void; socketsLeave(room: string): void; disconnectSockets(close: boolean): void };
};

/**
 * An HTTP node publishes through its socket.io server, whose PostgreSQL adapter (`attach`) hands each
 * emit, join, leave and disconnect to the other HTTP nodes too. A process without HTTP publishes the
 * same through socket.io's PostgreSQL emitter, which only NOTIFYs. Each side publishes on a pool of
 * one connection for its queries (the adapter has a second for its LISTEN), so a process's events
 * reach the other nodes in the order it published them.
 */
export function createRealtime(input: { logger: Logger; databaseUrl: string }): Realtime {
  const { logger } = input;
  let io: Server | undefined;
  let adapterPool: pg.Pool | undefined;
  let emitterPool: pg.Pool | undefined;
  const emitters = new Map<string, Broadcaster>();
  let closed = false;
  let campaignListener: ((campaignIds: number[]) => void) | undefined;
  const CAMPAIGN_ROOM = /^campaign:(\d+)$/;

  let errorLoggedAt = 0;
  let unlogged = 0;
  /** Failures of the adapter, the emitter and their pools: the libraries retry (LISTEN) or drop the event (NOTIFY). */
  const report = (error: unknown) => {
    if (closed) return;
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
  const emitterOf = (namespace: string): Broadcaster => {
    let emitter = emitters.get(namespace);
    if (!emitter) {
      emitterPool ??= openPool(1, 'omnichat-live-emitter');
      emitter = new Emitter(emitterPool, namespace, { ...CLUSTER, errorHandler: report }) as unknown as Broadcaster;
      emitters.set(namespace, emitter);
    }
    return emitter;
  };
  /** The sockets of a namespace on every HTTP node. */
  const everywhere = (namespace: string): Broadcaster => (io ? (io.of(namespace) as unknown as Broadcaster) : emitterOf(namespace));
  /** The sockets of a namespace on this node (none without HTTP). */
  const here = (namespace: string) => (io ? (io.of(namespace).local as unknown as Broadcaster) : null);

  return {
    onCampaignEvents(listener) {
      campaignListener = listener;
    },
    attach(server) {
      adapterPool = openPool(2, 'omnichat-live');
      server.adapter(createAdapter(adapterPool, { ...CLUSTER, errorHandler: report }));
      io = server;
    },
    disconnect(room) {
      if (!closed) everywhere('/').in(room).disconnectSockets(true);
    },
    joinRooms(fromRooms, room) {
      if (fromRooms.length && !closed) everywhere('/').in(fromRooms).socketsJoin(room);
    },
    leaveRooms(fromRooms, room) {
      if (fromRooms.length && !closed) everywhere('/').in(fromRooms).socketsLeave(room);
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
      if (closed) return;
      for (const { namespace = '/', rooms: targets, event, payload } of events) {
        if (targets.length === 0) continue;
        try {
          (NODE_LOCAL_EVENTS.has(event) ? here(namespace) : everywhere(namespace))?.to(targets).emit(event, payload);
        } catch (error) {
          logger.warn({ err: error, event }, 'live event not published');
        }
      }
    },
    async close() {
      closed = true;
      await Promise.all([adapterPool?.end(), emitterPool?.end()]);
    },
  };
}
