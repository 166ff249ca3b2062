import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Executor, Tx } from '../../db/connection.ts';
import { campaignChannels, campaignMembers, campaigns, cannedResponses, conversations } from '../../db/schema/index.ts';
import { requestAssignment } from '../../routing/queue-conversation.ts';
import type { AppServices } from '../app-services.ts';
import { httpErrors, parseInput } from '../http-errors.ts';
import type { DomainError } from '../../kernel/errors.ts';
import { inTransaction, type UnitOfWork } from '../../kernel/unit-of-work.ts';
import type { FieldIssue } from '../../contract/common.ts';
import {
  createCampaignSchema,
  didPortClashes,
  keywordClashes,
  memberChangeSchema,
  memberIssues,
  membersSchema,
  referenceIssuesOf,
  updateCampaignSchema,
  type CampaignChanges,
  type CurrentReferences,
} from './campaign-input.ts';
import { presentCampaigns, presentMembers } from './campaign-presenter.ts';
import { visibleCampaigns } from '../../kernel/visibility.ts';
import { assertOwnGroup, assertVisible, referenceIssues, listed } from '../../kernel/assert-visible.ts';
import { campaignWatchers, rooms } from '../../kernel/realtime.ts';
import { ALL_ROLES, route, type RouteSpec, SUPERVISORS } from '../route-table.ts';
import type { Actor } from '../../kernel/actor.ts';
import { idParams } from '../../kernel/ids.ts';
import { audit } from '../../kernel/audit.ts';

type CampaignRow = typeof campaigns.$inferSelect;

/**
 * Campaign settings are written one at a time: the name, DID-Port and keyword checks read other
 * campaigns before writing, and two admins saving at once could otherwise both pass them.
 */
const lockSettings = (tx: Tx) => tx.execute(sql`select pg_advisory_xact_lock(hashtext('campaign-settings'))`);

/** Membership changes of one campaign in turn, so appended positions never collide; callers lock in id order. */
const lockMembers = (tx: Tx, campaignId: number) => tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`campaign-members:${campaignId}`}))`);

/** The campaign row if the actor may see it, else a 404 (a campaign out of sight does not exist for them). */
async function loadVisible(tx: Executor, actor: Actor, id: number): Promise<CampaignRow> {
  await assertVisible(tx, actor, { campaignIds: [id] });
  const row = await tx.query.campaigns.findFirst({ where: eq(campaigns.id, id) });
  if (!row) throw httpErrors.notFound('Campaign');
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
  if (issues.length) throw httpErrors.validation(issues);
  if (input.name !== undefined) {
    const [taken] = await tx
      .select({ id: campaigns.id })
      .from(campaigns)
      .where(current ? and(eq(campaigns.name, input.name), ne(campaigns.id, current.id)) : eq(campaigns.name, input.name));
    if (taken) throw httpErrors.conflict(`A campaign named "${input.name}" already exists`);
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

async function createCampaign(uow: UnitOfWork, actor: Actor, input: z.infer<typeof createCampaignSchema>): Promise<number> {
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

async function updateCampaign(uow: UnitOfWork, actor: Actor, id: number, input: CampaignChanges): Promise<void> {
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

async function deleteCampaign(uow: UnitOfWork, actor: Actor, id: number): Promise<void> {
  const { tx } = uow;
  const current = await loadVisible(tx, actor, id);
  const [used] = await tx.select({ id: conversations.id }).from(conversations).where(eq(conversations.campaignId, id)).limit(1);
  if (used) throw httpErrors.conflict(`Campaign "${current.name}" has conversations on record; disable it instead of deleting it`);
  await audit(tx, { by: actor, action: 'campaign.deleted', target: { type: 'campaign', id: id }, details: { name: current.name } });
  // Members, channels and canned responses cascade; any other row that refers to it (spool…) refuses below.
  await tx.delete(campaigns).where(eq(campaigns.id, id));
}

/** Replaces the membership with exactly `userIds`, in that order (positions 1..n). */
async function replaceMembers(uow: UnitOfWork, actor: Actor, id: number, userIds: number[]): Promise<void> {
  const { tx } = uow;
  await loadVisible(tx, actor, id);
  await lockMembers(tx, id);
  const before = await tx
    .select({ userId: campaignMembers.userId })
    .from(campaignMembers)
    .where(eq(campaignMembers.campaignId, id))
    .orderBy(asc(campaignMembers.position), asc(campaignMembers.addedAt), asc(campaignMembers.userId));
  const beforeIds = before.map((row) => row.userId);
  // Members already there may stay (or be reordered) whoever they are; those added must be in sight.
  const issues = await memberIssues(tx, actor, userIds, beforeIds);
  if (issues.length) throw httpErrors.validation(issues);
  if (JSON.stringify(beforeIds) === JSON.stringify(userIds)) return;
  const added = userIds.filter((userId) => !beforeIds.includes(userId));
  const removed = beforeIds.filter((userId) => !userIds.includes(userId));
  // Kept members keep their row (and when they were added); only positions move.
  if (removed.length) await tx.delete(campaignMembers).where(and(eq(campaignMembers.campaignId, id), inArray(campaignMembers.userId, removed)));
  if (userIds.length) {
    await tx
      .insert(campaignMembers)
      .values(userIds.map((userId, index) => ({ campaignId: id, userId, position: index + 1 })))
      .onConflictDoUpdate({ target: [campaignMembers.campaignId, campaignMembers.userId], set: { position: sql`excluded.position` } });
  }
  await audit(tx, { by: actor, action: 'campaign.members_changed', target: { type: 'campaign', id: id }, details: { added, removed, order: userIds } });
  if (added.length) await requestAssignment(uow, id);
}

/** Adds or removes several users to or from several campaigns; returns the rows really added or removed. */
async function changeMembers(uow: UnitOfWork, actor: Actor, input: z.infer<typeof memberChangeSchema>): Promise<number> {
  const { tx } = uow;
  const issues = await referenceIssues(tx, actor, { campaignIds: listed('campaignIds', input.campaignIds) });
  // Adding needs the users in sight; removing does not: a member of a campaign of theirs may go.
  issues.push(...(await memberIssues(tx, actor, input.userIds, input.action === 'remove' ? input.userIds : [])));
  if (issues.length) throw httpErrors.validation(issues);
  let changed = 0;
  for (const campaignId of [...input.campaignIds].sort((a, b) => a - b)) {
    await lockMembers(tx, campaignId);
    let userIds: number[];
    if (input.action === 'add') {
      const current = await tx
        .select({ userId: campaignMembers.userId, position: campaignMembers.position })
        .from(campaignMembers)
        .where(eq(campaignMembers.campaignId, campaignId));
      const members = new Set(current.map((row) => row.userId));
      const last = Math.max(0, ...current.map((row) => row.position));
      // Existing members are left where they are; new ones go after the last, in the order given.
      userIds = input.userIds.filter((userId) => !members.has(userId));
      if (userIds.length) {
        await tx.insert(campaignMembers).values(userIds.map((userId, index) => ({ campaignId, userId, position: last + index + 1 })));
        await requestAssignment(uow, campaignId);
      }
    } else {
      const removed = await tx
        .delete(campaignMembers)
        .where(and(eq(campaignMembers.campaignId, campaignId), inArray(campaignMembers.userId, input.userIds)))
        .returning({ userId: campaignMembers.userId });
      userIds = removed.map((row) => row.userId);
    }
    if (!userIds.length) continue;
    changed += userIds.length;
    await audit(tx, {
      by: actor,
      action: 'campaign.members_changed',
      target: { type: 'campaign', id: campaignId },
      details: input.action === 'add' ? { added: userIds, removed: [] } : { added: [], removed: userIds },
    });
  }
  return changed;
}

/** A foreign key that still points at the campaign (spool rows…) refuses its deletion with a clear 409. */
function stillReferenced(error: unknown): DomainError | null {
  const cause = (error as { cause?: { code?: string; table_name?: string } })?.cause ?? (error as { code?: string; table_name?: string });
  if (cause?.code !== '23503') return null;
  const table = cause.table_name ? ` (${cause.table_name.replace(/_/g, ' ')})` : '';
  return httpErrors.conflict(`Other records${table} still refer to this campaign; disable it instead of deleting it`);
}

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
        const id = await inTransaction(services, (uow) => createCampaign(uow, actor, input));
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
        await inTransaction(services, (uow) => updateCampaign(uow, actor, id, input));
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
        try {
          await inTransaction(services, (uow) => deleteCampaign(uow, actor, id));
        } catch (error) {
          throw stillReferenced(error) ?? error;
        }
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
        await inTransaction(services, (uow) => replaceMembers(uow, actor, id, userIds));
        response.json({ members: await presentMembers(db, id) });
      },
    }),
    route({
      method: 'post',
      path: '/api/campaign-members',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const input = parseInput(memberChangeSchema, request.body);
        const changed = await inTransaction(services, (uow) => changeMembers(uow, actor, input));
        response.json({ changed });
      },
    }),
  ];
}
