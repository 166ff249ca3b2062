import type { Server } from 'socket.io';
import type { ConsoleEvents, SimulatorEvents } from '../contract/events.ts';
import type { Logger } from './logger.ts';

type EventOf<Events, Namespace> = { [K in keyof Events]: { namespace: Namespace; rooms: string[]; event: K; payload: Events[K] } }[keyof Events];

/** A live update for the console or the simulator, published only after its transaction commits; typed by `contract/events.ts`. */
export type LiveEvent = (Omit<EventOf<ConsoleEvents, '/'>, 'namespace'> & { namespace?: '/' }) | EventOf<SimulatorEvents, '/simulator'>;

export type Realtime = {
  publish(events: readonly LiveEvent[]): void;
  attach(io: Server): void;
  /** Disconnects the console sockets in a room (a logged-out session, a user logged out by a supervisor). */
  disconnect(room: string): void;
  /** Makes every socket in `fromRooms` join `room` too (supervisors joining a new campaign's room). */
  joinRooms(fromRooms: string[], room: string): void;
  /** Makes every socket in `fromRooms` leave `room`. */
  leaveRooms(fromRooms: string[], room: string): void;
  /** Called with the campaigns each published batch touches (their live figures change). */
  onCampaignEvents(listener: (campaignIds: number[]) => void): void;
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
 * Publishes to socket.io when this process serves HTTP. With several nodes, the socket.io Postgres
 * adapter carries the emit to the node holding the socket.
 */
export function createRealtime(logger: Logger): Realtime {
  let io: Server | undefined;
  let campaignListener: ((campaignIds: number[]) => void) | undefined;
  const CAMPAIGN_ROOM = /^campaign:(\d+)$/;
  return {
    onCampaignEvents(listener) {
      campaignListener = listener;
    },
    attach(server) {
      io = server;
    },
    disconnect(room) {
      io?.in(room).disconnectSockets(true);
    },
    joinRooms(fromRooms, room) {
      if (fromRooms.length) io?.in(fromRooms).socketsJoin(room);
    },
    leaveRooms(fromRooms, room) {
      if (fromRooms.length) io?.in(fromRooms).socketsLeave(room);
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
      if (!io) return;
      for (const { namespace = '/', rooms: targets, event, payload } of events) {
        if (targets.length === 0) continue;
        try {
          io.of(namespace).to(targets).emit(event, payload);
        } catch (error) {
          logger.warn({ err: error, event }, 'live event not published');
        }
      }
    },
  };
}
