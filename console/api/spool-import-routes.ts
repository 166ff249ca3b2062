import type { AppServices } from '../../server/app-services.ts';
import type { RouteSpec } from './route-table.ts';

/** Routes of CSV uploads into a dialer's spool. */
export function spoolImportRoutes(_services: AppServices): RouteSpec[] {
  return [];
}
