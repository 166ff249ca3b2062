import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { Tx } from '../db/connection.ts';
import { campaignMembers } from '../db/schema/index.ts';
import { listed, referenceIssues } from '../kernel/assert-visible.ts';
import { audit } from '../kernel/audit.ts';
import type { CommandContext } from '../kernel/command.ts';
import { domainErrors } from '../kernel/errors.ts';
import { requestAssignment } from '../routing/queue-conversation.ts';
import { loadVisible } from './campaign-commands.ts';
import { memberIssues, type memberChangeSchema } from './campaign-input.ts';

/** Membership changes of one campaign in turn, so appended positions never collide; callers lock in id order. */
const lockMembers = (tx: Tx, campaignId: number) => tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`campaign-members:${campaignId}`}))`);

/** Replaces the membership with exactly `userIds`, in that order (positions 1..n). */
export async function replaceMembers({ uow, actor }: CommandContext, { id, userIds }: { id: number; userIds: number[] }): Promise<void> {
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
  if (issues.length) throw domainErrors.validation(issues);
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
export async function changeMembers({ uow, actor }: CommandContext, input: z.infer<typeof memberChangeSchema>): Promise<number> {
  const { tx } = uow;
  const issues = await referenceIssues(tx, actor, { campaignIds: listed('campaignIds', input.campaignIds) });
  // Adding needs the users in sight; removing does not: a member of a campaign of theirs may go.
  issues.push(...(await memberIssues(tx, actor, input.userIds, input.action === 'remove' ? input.userIds : [])));
  if (issues.length) throw domainErrors.validation(issues);
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
