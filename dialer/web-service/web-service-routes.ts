import type { AppServices } from '../../server/app-services.ts';
import type { RouteSpec } from '../../console/api/route-table.ts';

/** Routes of the SendSMS web service, legacy and modern. */
export function webServiceRoutes(_services: AppServices): RouteSpec[] {
  return [];
}
