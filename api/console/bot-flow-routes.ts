import { desc, eq, inArray, max, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { botFlows, campaigns } from '../../db/schema/index.ts';
import { dryRun, dryRunInputSchema } from '../../bots/dry-run.ts';
import { loadFlow } from '../../bots/flow-store.ts';
import { parseFlow, type Flow } from '../../bots/flow-schema.ts';
import type { AppServices } from '../app-services.ts';
import { HttpError, httpErrors, parseInput } from '../http-errors.ts';
import type { Executor } from '../../db/connection.ts';
import type { BotFlowSummary, BotFlowView } from '../../contract/bot-flows.ts';
import { route, type RouteSpec, SUPERVISORS } from '../route-table.ts';
import { assertReferences, assertVisible, listed, single } from '../../kernel/assert-visible.ts';
import { visibleBotFlows } from '../../kernel/visibility.ts';
import { id, idParams } from '../../kernel/ids.ts';
import { audit } from '../../kernel/audit.ts';

const publishSchema = z.object({
  name: z.string().trim().min(1, 'Name the flow').max(200),
  definition: z.unknown(),
  /** Campaigns that start using this version (besides those on an older version of the same name). */
  campaignIds: z.array(id).max(500).default([]),
});
const dryRunSchema = dryRunInputSchema.and(
  z.union([z.object({ flowId: id }), z.object({ definition: z.unknown() })], {
    error: 'Give the flowId of a saved flow or a definition to try',
  }),
);
const campaignFlowSchema = z.object({ flowId: id.nullable() });

/** A flow refused with every problem at its exact path (`nodes.menu.options.2.next`). */
function checkedFlow(definition: unknown): Flow {
  const result = parseFlow(definition);
  if (!result.ok) throw new HttpError(400, 'invalid_flow', 'The flow is not valid', result.problems);
  return result.flow;
}

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
        const input = parseInput(publishSchema, request.body);
        checkedFlow(input.definition);
        await assertReferences(db, actor, { campaignIds: listed('campaignIds', input.campaignIds) });
        const id = await db.transaction(async (tx) => {
          // One version number per name even when two admins publish at once: the lock orders them.
          await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`bot-flow:${input.name}`}))`);
          const [last] = await tx
            .select({ version: max(botFlows.version) })
            .from(botFlows)
            .where(eq(botFlows.name, input.name));
          const older = await tx.select({ id: botFlows.id }).from(botFlows).where(eq(botFlows.name, input.name));
          const [row] = await tx
            .insert(botFlows)
            .values({ name: input.name, version: (last?.version ?? 0) + 1, definition: input.definition as object, createdByUserId: actor.userId })
            .returning({ id: botFlows.id, version: botFlows.version });
          // Conversations already talking keep their version (in their bot state); new ones get this one.
          const moved = await tx
            .update(campaigns)
            .set({ botFlowId: row!.id, updatedAt: new Date() })
            .where(
              or(
                inArray(
                  campaigns.botFlowId,
                  older.map((flow) => flow.id),
                ),
                inArray(campaigns.id, input.campaignIds),
              ),
            )
            .returning({ id: campaigns.id });
          await audit(tx, {
            by: { userId: actor.userId },
            action: 'bot_flow.published',
            target: { type: 'bot_flow', id: row!.id },
            details: { name: input.name, version: row!.version, campaignIds: moved.map((campaign) => campaign.id) },
          });
          return row!.id;
        });
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
        await assertVisible(db, actor, { campaignIds: [id] });
        await assertReferences(db, actor, { botFlowIds: single('flowId', flowId) });
        if (flowId !== null && !(await loadFlow(db, flowId))) throw httpErrors.notFound('Bot flow');
        const [updated] = await db
          .update(campaigns)
          .set({ botFlowId: flowId, updatedAt: new Date() })
          .where(eq(campaigns.id, id))
          .returning({ id: campaigns.id });
        if (!updated) throw httpErrors.notFound('Campaign');
        await audit(db, { by: { userId: actor.userId }, action: 'campaign.bot_flow', target: { type: 'campaign', id: id }, details: { flowId } });
        response.status(204).end();
      },
    }),
  ];
}
