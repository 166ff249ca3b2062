import { sql } from 'drizzle-orm';
import { presentSchedules, saveSchedule, scheduleSchema } from '../../campaigns/schedules.ts';
import { runCommand } from '../../kernel/command.ts';
import { idParams } from '../../kernel/ids.ts';
import { visibleSchedules } from '../../kernel/visibility.ts';
import type { AppServices } from '../app-services.ts';
import { parseInput } from '../http-errors.ts';
import { route, type RouteSpec, SUPERVISORS } from '../route-table.ts';

export function scheduleRoutes(services: AppServices): RouteSpec[] {
  const { db } = services;
  return [
    route({
      method: 'get',
      path: '/api/schedules',
      access: { roles: SUPERVISORS },
      async handler(_request, response, actor) {
        const visible =
          actor.role === 'admin'
            ? undefined
            : ((await db.execute(sql`select s.id from schedules s where ${visibleSchedules(actor)}`)) as unknown as { id: number }[]).map((row) => row.id);
        response.json({ schedules: await presentSchedules(db, visible) });
      },
    }),
    route({
      method: 'post',
      path: '/api/schedules',
      access: { roles: ['admin'] },
      async handler(request, response, actor) {
        const input = parseInput(scheduleSchema, request.body);
        const id = await runCommand(services, actor, (ctx) => saveSchedule(ctx, { id: null, schedule: input }));
        response.status(201).json((await presentSchedules(db, [id]))[0]);
      },
    }),
    route({
      method: 'put',
      path: '/api/schedules/:id',
      access: { roles: ['admin'] },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        const input = parseInput(scheduleSchema, request.body);
        await runCommand(services, actor, (ctx) => saveSchedule(ctx, { id, schedule: input }));
        response.json((await presentSchedules(db, [id]))[0]);
      },
    }),
  ];
}
