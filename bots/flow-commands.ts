import { eq, inArray, max, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { botFlows, campaigns } from '../db/schema/index.ts';
import { assertReferences, assertVisible, listed, single } from '../kernel/assert-visible.ts';
import { audit } from '../kernel/audit.ts';
import type { CommandContext } from '../kernel/command.ts';
import { DomainError, domainErrors } from '../kernel/errors.ts';
import { id } from '../kernel/ids.ts';
import { type Flow, parseFlow } from './flow-schema.ts';
import { loadFlow } from './flow-store.ts';

export const publishFlowSchema = z.object({
  name: z.string().trim().min(1, 'Name the flow').max(200),
  definition: z.unknown(),
  /** Campaigns that start using this version (besides those on an older version of the same name). */
  campaignIds: z.array(id).max(500).default([]),
});
/** A flow refused with every problem at its exact path (`nodes.menu.options.2.next`). */
export function checkedFlow(definition: unknown): Flow {
  const result = parseFlow(definition);
  if (!result.ok) throw new DomainError('invalid', 'invalid_flow', 'The flow is not valid', result.problems);
  return result.flow;
}

/**
 * Publishes a new version of a flow (admins): one version number per name even when two admins publish
 * at once; campaigns on an older version of the name, and those named, move to it. Answers its id.
 */
export async function publishBotFlow({ uow: { tx }, actor }: CommandContext, input: z.infer<typeof publishFlowSchema>): Promise<number> {
  checkedFlow(input.definition);
  await assertReferences(tx, actor, { campaignIds: listed('campaignIds', input.campaignIds) });
  // The lock orders two publications of one name.
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
    by: actor,
    action: 'bot_flow.published',
    target: { type: 'bot_flow', id: row!.id },
    details: { name: input.name, version: row!.version, campaignIds: moved.map((campaign) => campaign.id) },
  });
  return row!.id;
}

/** Gives a campaign in sight a saved flow, or none (admins). */
export async function setCampaignBotFlow(
  { uow: { tx }, actor }: CommandContext,
  { campaignId, flowId }: { campaignId: number; flowId: number | null },
): Promise<void> {
  await assertVisible(tx, actor, { campaignIds: [campaignId] });
  await assertReferences(tx, actor, { botFlowIds: single('flowId', flowId) });
  if (flowId !== null && !(await loadFlow(tx, flowId))) throw domainErrors.notFound('Bot flow');
  const [updated] = await tx
    .update(campaigns)
    .set({ botFlowId: flowId, updatedAt: new Date() })
    .where(eq(campaigns.id, campaignId))
    .returning({ id: campaigns.id });
  if (!updated) throw domainErrors.notFound('Campaign');
  await audit(tx, { by: actor, action: 'campaign.bot_flow', target: { type: 'campaign', id: campaignId }, details: { flowId } });
}
