import type { AppServices } from '../../server/app-services.ts';
import type { RouteSpec } from './route-table.ts';

/** Routes of the dialers, their start/stop, cancel, single send, spool rows and monitor (lead). */
export function dialerRoutes(_services: AppServices): RouteSpec[] {
  return [];
}
