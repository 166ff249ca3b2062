import { z } from 'zod';
import { setPresence } from '../../routing/agent-presence.ts';
import type { AppServices } from '../app-services.ts';
import { eq } from 'drizzle-orm';
import { breaks } from '../../db/schema/index.ts';
import { httpErrors, parseInput } from '../http-errors.ts';
import { inTransaction } from '../../kernel/unit-of-work.ts';
import { ALL_ROLES, route, type RouteSpec } from '../route-table.ts';

const presenceSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('available') }),
  z.object({ state: z.literal('offline') }),
  z.object({ state: z.literal('break'), breakName: z.string().trim().min(1).max(60) }),
]);

export function presenceRoutes(services: AppServices): RouteSpec[] {
  return [
    route({
      method: 'put',
      path: '/api/presence',
      access: { roles: ALL_ROLES },
      async handler(request, response, actor) {
        const change = parseInput(presenceSchema, request.body);
        if (change.state === 'break') {
          const known = await services.db.query.breaks.findFirst({ where: eq(breaks.name, change.breakName) });
          if (!known) throw httpErrors.validation([{ path: 'breakName', message: `"${change.breakName}" is not one of the configured breaks` }]);
        }
        const presence = await inTransaction(services, (uow) => setPresence(uow, { userId: actor.userId, change, changedByUserId: actor.userId }));
        response.json(presence);
      },
    }),
  ];
}
