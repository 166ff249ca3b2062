import { desc, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { botFlows, campaigns } from '../../db/schema/index.ts';
import { dryRun, dryRunInputSchema } from '../../bots/dry-run.ts';
import { loadFlow } from '../../bots/flow-store.ts';
import { checkedFlow, publishBotFlow, publishFlowSchema, setCampaignBotFlow } from '../../bots/flow-commands.ts';
import { runCommand } from '../../kernel/command.ts';
import type { AppServices } from '../app-services.ts';
import { httpErrors, parseInput } from '../http-errors.ts';
import type { Executor } from '../../db/connection.ts';
import type { BotFlowSummary, BotFlowView } from '../../contract/bot-flows.ts';
import { route, type RouteSpec, SUPERVISORS } from '../route-table.ts';
import { assertReferences, assertVisible, single } from '../../kernel/assert-visible.ts';
import { visibleBotFlows } from '../../kernel/visibility.ts';
import { id, idParams } from '../../kernel/ids.ts';

const dryRunSchema = dryRunInputSchema.and(
  z.union([z.object({ flowId: id }), z.object({ definition: z.unknown() })], {
    error: 'Give the flowId of a saved flow or a definition to try',
  }),
);
const campaignFlowSchema = z.object({ flowId: id.nullable() });

async function presentFlows(db: Executor, ids: number[]): Promise<BotFlowView[]> {
  if (!ids.length) return [];
  const rows = await db.select().from(botFlows).where(inArray(botFlows.id, ids)).orderBy(botFlows.name, desc(botFlows.version));
  const users = await db
    .select({ id: campaigns.id, name: campaigns.name, flowId: campaigns.botFlowId })
    .from(campaigns)
    .where(inArray(campaigns.botFlowId, ids));
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    definition: row.definition,
    campaigns: users.filter((campaign) => campaign.flowId === row.id).map(({ id, name }) => ({ id, name })),
  }));
}

export function botFlowRoutes(services: AppServices): RouteSpec[] {
  const { db } = services;
  return [
    route({
      method: 'get',
      path: '/api/bot-flows',
      access: { roles: SUPERVISORS },
      async handler(_request, response, actor) {
        // The latest version of each name the actor may see.
        const rows = (await db.execute(sql`
          select distinct on (f.name) f.id from bot_flows f where ${visibleBotFlows(actor)} order by f.name, f.version desc`)) as unknown as { id: number }[];
        const flows = await presentFlows(
          db,
          rows.map((row) => row.id),
        );
        response.json({ flows: flows.map(({ definition: _definition, ...summary }): BotFlowSummary => summary) });
      },
    }),
    route({
      method: 'get',
      path: '/api/bot-flows/:id',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        await assertVisible(db, actor, { botFlowIds: [id] });
        const [flow] = await presentFlows(db, [id]);
        if (!flow) throw httpErrors.notFound('Bot flow');
        response.json(flow);
      },
    }),
    route({
      method: 'post',
      path: '/api/bot-flows',
      access: { roles: ['admin'] },
      async handler(request, response, actor) {
        const input = parseInput(publishFlowSchema, request.body);
        const id = await runCommand(services, actor, (ctx) => publishBotFlow(ctx, input));
        const [flow] = await presentFlows(db, [id]);
        response.status(201).json(flow);
      },
    }),
    route({
      method: 'post',
      path: '/api/bot-flows/dry-run',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const input = parseInput(dryRunSchema, request.body);
        // An unsaved flow's HTTP nodes call any URL from this server: only those who may publish flows try them.
        if ('definition' in input && actor.role !== 'admin') throw httpErrors.forbidden('Only admins can try a flow that is not saved');
        if ('flowId' in input) await assertReferences(db, actor, { botFlowIds: single('flowId', input.flowId) });
        const flow = 'flowId' in input ? await loadFlow(db, input.flowId) : checkedFlow(input.definition);
        if (!flow) throw httpErrors.notFound('Bot flow');
        response.json(await dryRun(flow, input, services.selfUrl()));
      },
    }),
    route({
      method: 'put',
      path: '/api/campaigns/:id/bot-flow',
      access: { roles: ['admin'] },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        const { flowId } = parseInput(campaignFlowSchema, request.body);
        await runCommand(services, actor, (ctx) => setCampaignBotFlow(ctx, { campaignId: id, flowId }));
        response.status(204).end();
      },
    }),
  ];
}
