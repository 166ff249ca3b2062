import { route, type RouteSpec } from './route-table.ts';
import type { AppServices } from './app-services.ts';

export function healthRoutes(services: AppServices): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/healthz',
      access: { public: 'liveness probe for orchestrators' },
      handler: (_request, response) => void response.json({ status: 'ok' }),
    }),
    route({
      method: 'get',
      path: '/readyz',
      access: { public: 'readiness probe for orchestrators' },
      async handler(_request, response) {
        const ready = await services.isReady().catch(() => false);
        response.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready' });
      },
    }),
  ];
}
