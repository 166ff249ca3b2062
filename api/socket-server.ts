import type { Server as HttpServer } from 'node:http';
import { eq } from 'drizzle-orm';
import { type Namespace, Server } from 'socket.io';
import type { ConsoleSocketEvents, Listeners, SimulatorSocketEvents } from '../contract/events.ts';
import { channels } from '../db/schema/index.ts';
import { lockPresence } from '../routing/agent-presence.ts';
import { markConnected, markDisconnected } from '../routing/presence-grace-job.ts';
import { inTransaction } from '../kernel/unit-of-work.ts';
import { readPhoneToken, tokenChannelId } from '../gateway/simulator/phone-token.ts';
import { simulatorSigningKey } from '../gateway/simulator/simulator-channel.ts';
import type { AppServices } from './app-services.ts';
import { rooms } from '../kernel/realtime.ts';
import { handshakeOrigins, isSameOriginRequest } from './cross-site.ts';
import { readSessionCookie } from './route-table.ts';
import { visibleCampaignIds } from '../kernel/visibility.ts';
import { resolveSession } from './sessions.ts';
import type { Actor } from '../kernel/actor.ts';

/**
 * Socket.io on the HTTP server. `/` is the console: the session cookie authenticates the handshake and
 * the socket joins its user room, plus campaign rooms for supervisors. `/simulator` is the phone page:
 * its phone token authenticates it and it joins only its own number's room.
 */
/** The console's socket.io server, its events typed by `contract/events.ts` (published ones go out in `live` frames, `kernel/realtime.ts`). */
export type ConsoleServer = Server<Record<string, never>, Listeners<ConsoleSocketEvents>>;

export function createSocketServer(httpServer: HttpServer, services: AppServices): ConsoleServer {
  const io: ConsoleServer = new Server(httpServer, {
    serveClient: false,
    // A page of another site must not open a socket on the user's cookie (WebSockets know no CORS).
    allowRequest: (request, callback) => callback(null, isSameOriginRequest(request.headers, handshakeOrigins(request, services.config.publicUrl))),
  });

  io.use(async (socket, next) => {
    try {
      const actor = await resolveSession(services.db, readSessionCookie(socket.request.headers.cookie));
      if (!actor) return next(new Error('unauthorized'));
      socket.data.actor = actor;
      next();
    } catch (error) {
      next(error as Error);
    }
  });
  io.on('connection', async (socket) => {
    const actor = socket.data.actor as Actor;
    try {
      await socket.join([rooms.user(actor.userId), rooms.session(actor.tokenHash)]);
      if (actor.role !== 'agent') {
        // Group rooms let campaigns created or moved later be joined live (see campaignWatchers).
        await socket.join([
          rooms.unrouted,
          rooms.supervisors,
          ...actor.securityGroupIds.map(rooms.securityGroup),
          ...(await visibleCampaignIds(services.db, actor)).map(rooms.campaign),
        ]);
      }
      if (actor.role === 'admin') await socket.join(rooms.admins);
      await markConnected(services, actor.userId);
      socket.emit('ready', { userId: actor.userId });
    } catch (error) {
      // An async listener's rejection would otherwise be unhandled and stop the process.
      services.logger.error({ err: error, userId: actor.userId }, 'console socket setup failed');
      socket.disconnect(true);
    }
    socket.on('disconnect', () => {
      void agentLeft(actor.userId).catch((error: unknown) => services.logger.warn({ err: error, userId: actor.userId }, 'presence grace not started'));
    });
  });

  /** The user's last console socket went away (another tab keeps them present): start the grace period. */
  async function agentLeft(userId: number) {
    await inTransaction(services, async (uow) => {
      // Counted under the presence lock: a socket that reconnects after this count stamps its
      // connection after this transaction commits, so the grace job sees it came back.
      const presence = await lockPresence(uow.tx, userId);
      if (presence.state === 'offline' || (await userSockets(userId)) > 0) return;
      await markDisconnected(uow, userId, services.config.presenceGraceSeconds);
    });
  }

  /**
   * The user's console sockets on every HTTP node (the PostgreSQL adapter asks the others). A node
   * that does not answer within the adapter's timeout is most likely dead, its sockets gone with it
   * (until its heartbeats are missed, the others still count it): then this node's sockets decide.
   */
  async function userSockets(userId: number): Promise<number> {
    try {
      return (await io.in(rooms.user(userId)).fetchSockets()).length;
    } catch (error) {
      services.logger.warn({ err: error, userId }, 'another node did not answer for its sockets; counting this one only');
      return (await io.local.in(rooms.user(userId)).fetchSockets()).length;
    }
  }

  // The phone page's namespace has its own events (`SimulatorSocketEvents`).
  const simulator = io.of('/simulator') as unknown as Namespace<Record<string, never>, Listeners<SimulatorSocketEvents>>;
  simulator.use(async (socket, next) => {
    try {
      const token = socket.handshake.auth?.token as unknown;
      const channelId = tokenChannelId(token);
      const row = channelId === null ? undefined : await services.db.query.channels.findFirst({ where: eq(channels.id, channelId) });
      const number = row?.type === 'simulator' && row.enabled ? readPhoneToken(simulatorSigningKey(row.secrets), row.id, token as string) : null;
      if (!row || !number) return next(new Error('unauthorized'));
      socket.data.phone = { channelId: row.id, number };
      next();
    } catch (error) {
      next(error as Error);
    }
  });
  simulator.on('connection', async (socket) => {
    const { channelId, number } = socket.data.phone as { channelId: number; number: string };
    await socket.join(rooms.phone(channelId, number));
    socket.emit('ready', { number });
  });
  return io;
}
