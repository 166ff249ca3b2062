import type { AppServices } from '../../server/app-services.ts';
import type { RouteSpec } from './route-table.ts';

/** Routes of API keys of the web service (admins). */
export function apiKeyRoutes(_services: AppServices): RouteSpec[] {
  return [];
}
