import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';
import type { Express } from 'express';
import type { Server as SocketServer } from 'socket.io';
import { connectDatabase, reconnectBackoff } from '../db/connection.ts';
import { createReadinessProbe } from '../db/readiness-probe.ts';
import { applyMigrations } from '../db/migrate.ts';
import { createSocketServer } from '../api/socket-server.ts';
import type { RouteTable } from '../api/route-table.ts';
import { createChannelRegistry } from '../gateway/channel-registry.ts';
import { webhookUrl } from '../api/webhook-routes.ts';
import { receiveContent } from '../gateway/receive-content.ts';
import { sendQueuedMessage } from '../gateway/send-job.ts';
import { createSendPacing } from '../gateway/send-pacing.ts';
import { createAuthStateStore } from '../gateway/session/auth-state-store.ts';
import { createSessionManager } from '../gateway/session/session-manager.ts';
import type { AppServices } from '../api/app-services.ts';
import type { Config } from '../kernel/config.ts';
import { createHttpApp } from './http-app.ts';
import { createJobQueue } from '../kernel/job-queue.ts';
import type { Logger } from '../kernel/logger.ts';
import { createRealtime } from '../kernel/realtime.ts';
import { createQueues, startWorkers } from './workers.ts';
import { startDialerRunner } from '../dialer/dialer-runner.ts';
import { startDialerMonitorPublisher } from '../dialer/dialer-monitor.ts';
import { createMonitorPublisher, createMonitorSignal } from '../routing/monitor-publisher.ts';

export type Platform = {
  services: AppServices;
  /** Base URL of the HTTP role (null when this process does not serve HTTP). */
  url: string | null;
  routeTable: RouteTable;
  /** The express app (null without the HTTP role); tests read its router to enumerate routes. */
  httpApp: Express | null;
  io: SocketServer | null;
  /** Graceful: stop taking requests and jobs, finish the jobs in flight, close connections. */
  stop(): Promise<void>;
};

/** Composes a running process from its config: database, migrations, job queue, workers and HTTP per role. */
export async function startPlatform(input: { config: Config; logger: Logger; databaseUrl: string }): Promise<Platform> {
  const { config, logger } = input;
  const database = connectDatabase(input.databaseUrl, { max: config.databasePoolSize });
  await applyMigrations(database.sql);
  const realtime = createRealtime({ logger, databaseUrl: input.databaseUrl, frameMs: config.liveFrameMs });
  const jobSql = postgres(input.databaseUrl, { max: 6, onnotice: () => {}, backoff: reconnectBackoff, connection: { application_name: 'omnichat-jobs' } });
  const readiness = createReadinessProbe(input.databaseUrl);
  const boss = createJobQueue(jobSql, logger);
  await boss.start();
  await createQueues(boss);
  let stopping = false;
  let url: string | null = null;
  const sessions = createSessionManager({
    db: database.db,
    boss,
    realtime,
    logger,
    registry: () => services.channels,
    leaseSeconds: config.sessionLeaseSeconds,
    pollMs: config.sessionPollMs,
    active: config.roles.has('session-channels'),
    send: (messageId, lastAttempt) => sendQueuedMessage(services, messageId, lastAttempt, 'session-queue'),
  });
  const services: AppServices = {
    db: database.db,
    sql: database.sql,
    boss,
    realtime,
    config,
    logger,
    sessions,
    pacing: createSendPacing(database.db),
    selfUrl: () => config.publicUrl ?? url ?? `http://127.0.0.1:${config.port}`,
    channels: createChannelRegistry({
      publish: (events) => realtime.publish(events),
      webhookUrl: (channelId) => webhookUrl(config.publicUrl, channelId),
      receive: (channelId, content) => receiveContent(services, channelId, content),
      reportState: (channelId, state) => sessions.reportState(channelId, state),
      authState: (channelId) => createAuthStateStore(database.db, channelId, { nodeId: sessions.nodeId }),
      logger,
      chromiumPath: config.chromiumPath,
    }),
    async isReady() {
      return !stopping && (await readiness.check());
    },
  };
  if (config.roles.has('workers')) await startWorkers(boss, services);
  const dialerRunner = config.roles.has('workers')
    ? await startDialerRunner({
        sql: database.sql,
        db: database.db,
        channels: services.channels,
        sessions,
        pacing: services.pacing,
        logger,
        workerTimeoutMs: config.dialerWorkerTimeoutMs,
        concurrency: config.dialerConcurrency,
      })
    : null;
  // Supervisors' live figures: each HTTP node computes them for its own sockets (realtime keeps them
  // on the node), from its own changes at once and from every node's through the signal.
  const monitor = config.roles.has('http')
    ? await createMonitorPublisher({ db: database.db, sql: database.sql, realtime, logger, timeZone: config.timeZone })
    : null;
  const dialerMonitor = config.roles.has('http') ? startDialerMonitorPublisher({ db: database.db, realtime, logger }) : null;
  const monitorSignal = createMonitorSignal(database.sql, logger);
  realtime.onCampaignEvents((ids) => {
    monitor?.markDirty(ids);
    monitorSignal.signal(ids);
  });
  await sessions.start();

  let httpServer: HttpServer | null = null;
  let io: SocketServer | null = null;
  let routeTable: RouteTable = [];
  let httpApp: Express | null = null;
  if (config.roles.has('http')) {
    const http = createHttpApp(services);
    routeTable = http.routeTable;
    httpApp = http.app;
    httpServer = createServer(http.app);
    io = createSocketServer(httpServer, services);
    realtime.attach(io);
    await new Promise<void>((resolve, reject) => {
      httpServer!.once('error', reject);
      httpServer!.listen(config.port, config.host, () => resolve());
    });
    const { port } = httpServer.address() as AddressInfo;
    url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  }

  return {
    services,
    url,
    routeTable,
    httpApp,
    io,
    async stop() {
      stopping = true;
      const closed = httpServer ? new Promise<void>((resolve) => httpServer!.close(() => resolve())) : Promise.resolve();
      // This node's sockets only: through the adapter, `io.disconnectSockets` would end every node's.
      io?.local.disconnectSockets(true);
      httpServer?.closeIdleConnections();
      // The dialer's sends in hand finish and are stored before the sessions they may use go away.
      await dialerRunner?.stop();
      await sessions.stop();
      // graceful: workers take no new jobs and pg-boss waits for the ones in flight to finish.
      await boss.stop({ graceful: true, close: false, timeout: config.shutdownTimeoutMs });
      await monitor?.stop();
      await dialerMonitor?.stop();
      await monitorSignal.flush();
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000))]);
      httpServer?.closeAllConnections();
      await io?.close();
      await realtime.close();
      await jobSql.end({ timeout: 5 });
      await readiness.close();
      await database.close();
    },
  };
}
