import { and, asc, eq, ne, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { FieldIssue } from '../contract/common.ts';
import type { Executor, Tx } from '../db/connection.ts';
import { campaignChannels, campaigns, cannedResponses, conversations } from '../db/schema/index.ts';
import type { Actor } from '../kernel/actor.ts';
import { assertOwnGroup, assertVisible } from '../kernel/assert-visible.ts';
import { audit } from '../kernel/audit.ts';
import type { CommandContext } from '../kernel/command.ts';
import { type DomainError, domainErrors } from '../kernel/errors.ts';
import { requestAssignment } from '../routing/queue-conversation.ts';
import {
  type CampaignChanges,
  type CurrentReferences,
  type createCampaignSchema,
  didPortClashes,
  keywordClashes,
  referenceIssuesOf,
} from './campaign-input.ts';

type CampaignRow = typeof campaigns.$inferSelect;

/**
 * Campaign settings are written one at a time: the name, DID-Port and keyword checks read other
 * campaigns before writing, and two admins saving at once could otherwise both pass them.
 */
const lockSettings = (tx: Tx) => tx.execute(sql`select pg_advisory_xact_lock(hashtext('campaign-settings'))`);

/** The campaign row if the actor may see it, else a 404 (a campaign out of sight does not exist for them). */
export async function loadVisible(tx: Executor, actor: Actor, id: number): Promise<CampaignRow> {
  await assertVisible(tx, actor, { campaignIds: [id] });
  const row = await tx.query.campaigns.findFirst({ where: eq(campaigns.id, id) });
  if (!row) throw domainErrors.notFound('Campaign');
  return row;
}

/** Every check that needs the database, on the campaign as it will be after the change; all issues at once. */
async function checkSettings(tx: Tx, actor: Actor, input: CampaignChanges, current: CampaignRow | null, currentChannelIds: number[]) {
  const references: CurrentReferences | null = current && { channelIds: currentChannelIds, scheduleId: current.scheduleId, botFlowId: current.botFlowId };
  const issues: FieldIssue[] = [...(await referenceIssuesOf(tx, actor, input, references))];
  if (input.didPorts || input.channelIds) {
    issues.push(...(await didPortClashes(tx, actor, current?.id ?? null, input.didPorts ?? current?.didPorts ?? [], input.channelIds ?? currentChannelIds)));
  }
  if (input.optOutKeywords || input.optInKeywords || input.helpKeywords) issues.push(...keywordClashes(input, current ?? undefined));
  if (issues.length) throw domainErrors.validation(issues);
  if (input.name !== undefined) {
    const [taken] = await tx
      .select({ id: campaigns.id })
      .from(campaigns)
      .where(current ? and(eq(campaigns.name, input.name), ne(campaigns.id, current.id)) : eq(campaigns.name, input.name));
    if (taken) throw domainErrors.conflict(`A campaign named "${input.name}" already exists`);
  }
}

/** Replaces the campaign's channels and canned responses with the lists the request gives. */
async function replaceLists(tx: Tx, campaignId: number, input: CampaignChanges) {
  if (input.channelIds) {
    await tx.delete(campaignChannels).where(eq(campaignChannels.campaignId, campaignId));
    if (input.channelIds.length) await tx.insert(campaignChannels).values(input.channelIds.map((channelId) => ({ campaignId, channelId })));
  }
  if (input.cannedResponses) {
    await tx.delete(cannedResponses).where(eq(cannedResponses.campaignId, campaignId));
    if (input.cannedResponses.length) await tx.insert(cannedResponses).values(input.cannedResponses.map((response) => ({ campaignId, ...response })));
  }
}

/** Creates a campaign (admins); answers its id. */
export async function createCampaign({ uow, actor }: CommandContext, input: z.infer<typeof createCampaignSchema>): Promise<number> {
  const { tx } = uow;
  await lockSettings(tx);
  await checkSettings(tx, actor, input, null, []);
  const { channelIds: _channels, cannedResponses: _responses, ...columns } = input;
  // Fields left out are undefined, which drizzle writes as DEFAULT: the database's defaults apply.
  const [row] = await tx.insert(campaigns).values(columns).returning({ id: campaigns.id });
  await replaceLists(tx, row!.id, input);
  await audit(tx, {
    by: actor,
    action: 'campaign.created',
    target: { type: 'campaign', id: row!.id },
    details: { name: input.name, fields: Object.keys(input) },
  });
  return row!.id;
}

/** The fields whose value the request really changes (channel order does not count; canned response order does). */
async function changedFields(tx: Tx, current: CampaignRow, input: CampaignChanges): Promise<string[]> {
  const before: Record<string, unknown> = { ...current };
  if (input.channelIds) {
    const rows = await tx.select({ id: campaignChannels.channelId }).from(campaignChannels).where(eq(campaignChannels.campaignId, current.id));
    before.channelIds = rows.map((row) => row.id).sort((a, b) => a - b);
  }
  if (input.cannedResponses) {
    before.cannedResponses = await tx
      .select({ shortcut: cannedResponses.shortcut, body: cannedResponses.body })
      .from(cannedResponses)
      .where(eq(cannedResponses.campaignId, current.id))
      .orderBy(asc(cannedResponses.id));
  }
  const after: Record<string, unknown> = { ...input, ...(input.channelIds ? { channelIds: [...input.channelIds].sort((a, b) => a - b) } : {}) };
  return Object.keys(input).filter((field) => JSON.stringify(after[field]) !== JSON.stringify(before[field]));
}

/** Changes a campaign's settings (admins; supervisors of its security group); routing looks again when it can assign more. */
export async function updateCampaign({ uow, actor }: CommandContext, { id, changes: input }: { id: number; changes: CampaignChanges }): Promise<void> {
  const { tx } = uow;
  await lockSettings(tx);
  const current = await loadVisible(tx, actor, id);
  assertOwnGroup(actor, input.securityGroupId, current.securityGroupId, 'campaign');
  const channels = await tx.select({ id: campaignChannels.channelId }).from(campaignChannels).where(eq(campaignChannels.campaignId, id));
  await checkSettings(
    tx,
    actor,
    input,
    current,
    channels.map((row) => row.id),
  );
  const fields = await changedFields(tx, current, input);
  if (!fields.length) return;
  const { channelIds: _channels, cannedResponses: _responses, ...columns } = input;
  await tx
    .update(campaigns)
    .set({ ...columns, updatedAt: new Date() })
    .where(eq(campaigns.id, id));
  await replaceLists(tx, id, input);
  await audit(tx, { by: actor, action: 'campaign.updated', target: { type: 'campaign', id: id }, details: { fields } });
  // Changes that can let routing assign more: ask it to look at the queue now, not at the next event.
  const canAssignMore =
    (input.maxInteractionsPerAgent ?? 0) > current.maxInteractionsPerAgent ||
    (input.enabled === true && !current.enabled) ||
    (input.strategy !== undefined && input.strategy !== current.strategy);
  if (canAssignMore && (input.enabled ?? current.enabled)) await requestAssignment(uow, id);
}

/** Deletes a campaign no conversation or other record refers to (admins); else a 409 that says to disable it. */
export async function deleteCampaign({ uow, actor }: CommandContext, { id }: { id: number }): Promise<void> {
  const { tx } = uow;
  const current = await loadVisible(tx, actor, id);
  const [used] = await tx.select({ id: conversations.id }).from(conversations).where(eq(conversations.campaignId, id)).limit(1);
  if (used) throw domainErrors.conflict(`Campaign "${current.name}" has conversations on record; disable it instead of deleting it`);
  await audit(tx, { by: actor, action: 'campaign.deleted', target: { type: 'campaign', id: id }, details: { name: current.name } });
  // Members, channels and canned responses cascade; any other row that refers to it (spool…) refuses.
  try {
    await tx.delete(campaigns).where(eq(campaigns.id, id));
  } catch (error) {
    throw stillReferenced(error) ?? error;
  }
}

/** A foreign key that still points at the campaign (spool rows…) refuses its deletion with a clear 409. */
function stillReferenced(error: unknown): DomainError | null {
  const cause = (error as { cause?: { code?: string; table_name?: string } })?.cause ?? (error as { code?: string; table_name?: string });
  if (cause?.code !== '23503') return null;
  const table = cause.table_name ? ` (${cause.table_name.replace(/_/g, ' ')})` : '';
  return domainErrors.conflict(`Other records${table} still refer to this campaign; disable it instead of deleting it`);
}
