import type { AppServices } from '../app-services.ts';
import { parseInput } from '../http-errors.ts';
import { apiKeyInputSchema, createApiKey, listApiKeys, presentApiKey, revokeApiKey } from '../web-service/api-keys.ts';
import { route, type RouteSpec } from '../route-table.ts';
import { idParams } from '../../kernel/ids.ts';
import { runCommand } from '../../kernel/command.ts';

/** Routes of API keys of the web service (admins). */
export function apiKeyRoutes(services: AppServices): RouteSpec[] {
  const { db } = services;
  return [
    route({
      method: 'get',
      path: '/api/api-keys',
      access: { roles: ['admin'] },
      async handler(_request, response) {
        response.json({ apiKeys: await listApiKeys(db) });
      },
    }),
    route({
      method: 'post',
      path: '/api/api-keys',
      access: { roles: ['admin'] },
      async handler(request, response, actor) {
        const input = parseInput(apiKeyInputSchema, request.body);
        const { row, key } = await runCommand(services, actor, (ctx) => createApiKey(ctx, input));
        // The plaintext key leaves the server this once; it is never stored nor logged.
        response.status(201).json({ apiKey: presentApiKey(row), key });
      },
    }),
    route({
      method: 'post',
      path: '/api/api-keys/:id/revoke',
      access: { roles: ['admin'] },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        response.json(presentApiKey(await runCommand(services, actor, (ctx) => revokeApiKey(ctx, { id }))));
      },
    }),
  ];
}
