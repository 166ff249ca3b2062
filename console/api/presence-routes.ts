import { z } from 'zod';
import { setPresence } from '../../routing/agent-presence.ts';
import type { AppServices } from '../../server/app-services.ts';
import { parseInput } from '../../server/http-errors.ts';
import { inTransaction } from '../../server/unit-of-work.ts';
import { ALL_ROLES, type RouteSpec } from './route-table.ts';

const presenceSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('available') }),
  z.object({ state: z.literal('offline') }),
  z.object({ state: z.literal('break'), breakName: z.string().trim().min(1).max(60) }),
]);

export function presenceRoutes(services: AppServices): RouteSpec[] {
  return [
    {
      method: 'put',
      path: '/api/presence',
      access: { roles: ALL_ROLES },
      async handler(request, response, actor) {
        const change = parseInput(presenceSchema, request.body);
        const presence = await inTransaction(services, (uow) =>
          setPresence(uow, { userId: actor!.userId, change, changedByUserId: actor!.userId }),
        );
        response.json(presence);
      },
    },
  ];
}
