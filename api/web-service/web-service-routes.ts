import type { AppServices } from '../app-services.ts';
import type { RouteSpec } from '../route-table.ts';
import { legacySendSmsRoutes } from './legacy-sendsms.ts';
import { messagesApiRoutes } from './messages-api.ts';

/** Routes of the SendSMS web service, legacy and modern; every one needs an API key. */
export function webServiceRoutes(services: AppServices): RouteSpec[] {
  return [...legacySendSmsRoutes(services), ...messagesApiRoutes(services)];
}
