import { eq, sql } from 'drizzle-orm';
import { createCampaign, deleteCampaign, loadVisible, updateCampaign } from '../../campaigns/campaign-commands.ts';
import { createCampaignSchema, memberChangeSchema, membersSchema, updateCampaignSchema } from '../../campaigns/campaign-input.ts';
import { changeMembers, replaceMembers } from '../../campaigns/campaign-members.ts';
import { presentCampaigns, presentMembers } from '../../campaigns/campaign-presenter.ts';
import { campaigns } from '../../db/schema/index.ts';
import type { Actor } from '../../kernel/actor.ts';
import { runCommand } from '../../kernel/command.ts';
import { idParams } from '../../kernel/ids.ts';
import { campaignWatchers, rooms } from '../../kernel/realtime.ts';
import { visibleCampaigns } from '../../kernel/visibility.ts';
import type { AppServices } from '../app-services.ts';
import { httpErrors, parseInput } from '../http-errors.ts';
import { ALL_ROLES, type RouteSpec, route, SUPERVISORS } from '../route-table.ts';

export function campaignRoutes(services: AppServices): RouteSpec[] {
  const { db } = services;
  const presentOne = async (id: number, actor: Actor) => {
    const [view] = await presentCampaigns(db, sql`k.id = ${id} and ${visibleCampaigns(actor)}`);
    if (!view) throw httpErrors.notFound('Campaign');
    return view;
  };
  return [
    route({
      method: 'get',
      path: '/api/campaigns',
      access: { roles: ALL_ROLES },
      async handler(_request, response, actor) {
        response.json({ campaigns: await presentCampaigns(db, visibleCampaigns(actor)) });
      },
    }),
    route({
      method: 'get',
      path: '/api/campaigns/:id',
      access: { roles: ALL_ROLES },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        response.json(await presentOne(id, actor));
      },
    }),
    route({
      method: 'post',
      path: '/api/campaigns',
      access: { roles: ['admin'] },
      async handler(request, response, actor) {
        const input = parseInput(createCampaignSchema, request.body);
        const id = await runCommand(services, actor, (ctx) => createCampaign(ctx, input));
        // Supervisors already connected start receiving the new campaign's live events.
        services.realtime.joinRooms(campaignWatchers(input.securityGroupId ?? null), rooms.campaign(id));
        response.status(201).json(await presentOne(id, actor));
      },
    }),
    route({
      method: 'patch',
      path: '/api/campaigns/:id',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        const input = parseInput(updateCampaignSchema, request.body);
        const before = await services.db.query.campaigns.findFirst({ where: eq(campaigns.id, id), columns: { securityGroupId: true } });
        await runCommand(services, actor, (ctx) => updateCampaign(ctx, { id, changes: input }));
        if (before && input.securityGroupId !== undefined && input.securityGroupId !== before.securityGroupId) {
          // Moved to another security group: its old supervisors stop watching it, the new ones start.
          services.realtime.leaveRooms(
            campaignWatchers(before.securityGroupId).filter((room) => room !== rooms.admins),
            rooms.campaign(id),
          );
          services.realtime.joinRooms(campaignWatchers(input.securityGroupId), rooms.campaign(id));
        }
        response.json(await presentOne(id, actor));
      },
    }),
    route({
      method: 'delete',
      path: '/api/campaigns/:id',
      access: { roles: ['admin'] },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        await runCommand(services, actor, (ctx) => deleteCampaign(ctx, { id }));
        response.status(204).end();
      },
    }),
    route({
      method: 'get',
      path: '/api/campaigns/:id/members',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        await loadVisible(db, actor, id);
        response.json({ members: await presentMembers(db, id) });
      },
    }),
    route({
      method: 'put',
      path: '/api/campaigns/:id/members',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        const { userIds } = parseInput(membersSchema, request.body);
        await runCommand(services, actor, (ctx) => replaceMembers(ctx, { id, userIds }));
        response.json({ members: await presentMembers(db, id) });
      },
    }),
    route({
      method: 'post',
      path: '/api/campaign-members',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const input = parseInput(memberChangeSchema, request.body);
        const changed = await runCommand(services, actor, (ctx) => changeMembers(ctx, input));
        response.json({ changed });
      },
    }),
  ];
}
