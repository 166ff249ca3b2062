import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import { agentRoutes } from '../api/console/agent-routes.ts';
import { authRoutes } from '../api/console/auth-routes.ts';
import { botFlowRoutes } from '../api/console/bot-flow-routes.ts';
import { campaignRoutes } from '../api/console/campaign-routes.ts';
import { demoOrderRoutes } from './demo-flow.ts';
import { channelRoutes } from '../api/console/channel-routes.ts';
import { conversationRoutes } from '../api/console/conversation-routes.ts';
import { presenceRoutes } from '../api/console/presence-routes.ts';
import { routingRoutes } from '../api/console/routing-routes.ts';
import { scheduleRoutes } from '../api/console/schedule-routes.ts';
import { dialerRoutes } from '../api/console/dialer-routes.ts';
import { spoolImportRoutes } from '../api/console/spool-import-routes.ts';
import { dncrRoutes } from '../api/console/dncr-routes.ts';
import { apiKeyRoutes } from '../api/console/api-key-routes.ts';
import { webServiceRoutes } from '../api/web-service/web-service-routes.ts';
import { registerRoutes, route, type RouteTable } from '../api/route-table.ts';
import { simulatorRoutes } from '../api/simulator-routes.ts';
import { webhookRoutes } from '../api/webhook-routes.ts';
import type { AppServices } from '../api/app-services.ts';
import { healthRoutes } from '../api/health-routes.ts';
import { securityHeaders } from '../api/security-headers.ts';
import { refuseCrossSite } from '../api/cross-site.ts';
import { errorHandler, httpErrors } from '../api/http-errors.ts';
import type { RouteSpec } from '../api/route-table.ts';

export const UI_DIST = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'console', 'ui', 'dist');

/** The express app: JSON API, webhooks, the built console and simulator pages, one error handler. */
export function createHttpApp(services: AppServices): { app: Express; routeTable: RouteTable } {
  const app = express();
  const routeTable: RouteTable = [];
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders(services.config.publicUrl));
  // Before any route or body parser: a cross-site post on the session cookie is refused unread.
  app.use(refuseCrossSite(services.config.publicUrl));
  app.use(['/api', '/simulator/api'], express.json({ limit: '1mb' }));

  registerRoutes(app, services.db, routeTable, [
    ...healthRoutes(services),
    ...authRoutes(services),
    ...conversationRoutes(services),
    ...presenceRoutes(services),
    ...routingRoutes(services),
    ...channelRoutes(services),
    ...botFlowRoutes(services),
    ...campaignRoutes(services),
    ...scheduleRoutes(services),
    ...agentRoutes(services),
    ...dialerRoutes(services),
    ...spoolImportRoutes(services),
    ...dncrRoutes(services),
    ...apiKeyRoutes(services),
    ...webServiceRoutes(services),
    ...webhookRoutes(services),
    ...simulatorRoutes(services),
    ...(services.config.seedDemo ? demoOrderRoutes() : []),
  ]);

  app.use(['/api', '/webhooks', '/simulator/api'], (request, _response, next) =>
    next(httpErrors.notFound(`${request.method} ${request.baseUrl}${request.path}`)),
  );
  if (existsSync(UI_DIST)) app.use('/assets', express.static(path.join(UI_DIST, 'assets'), { immutable: true, maxAge: '1y' }));
  registerRoutes(app, services.db, routeTable, pageRoutes());
  app.use(errorHandler(services.logger));
  return { app, routeTable };
}

/** The console and the phone page are static HTML: they hold no data, the API behind them is guarded. */
function pageRoutes(): RouteSpec[] {
  const page =
    (file: string): RouteSpec['handler'] =>
    (_request, response) => {
      if (!existsSync(path.join(UI_DIST, file))) {
        response.status(503).type('text').send('The console is not built: run `npm run build` (npm start does it).');
        return;
      }
      response.sendFile(path.join(UI_DIST, file));
    };
  return [
    route({ method: 'get', path: '/', access: { public: 'static console page; it logs in through the API' }, handler: page('index.html') }),
    route({ method: 'get', path: '/simulator', access: { public: 'static phone page' }, handler: page('simulator.html') }),
  ];
}
