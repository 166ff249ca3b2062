import type { AppServices } from '../../server/app-services.ts';
import type { RouteSpec } from './route-table.ts';

/** Routes of the DNCR list: rows, single numbers, uploads. */
export function dncrRoutes(_services: AppServices): RouteSpec[] {
  return [];
}
