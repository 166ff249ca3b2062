import { randomBytes } from 'node:crypto';
import { desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../../db/connection.ts';
import { apiKeys, campaigns, dialers } from '../../db/schema/index.ts';
import type { Actor } from '../../kernel/actor.ts';
import { httpErrors } from '../http-errors.ts';
import type { FieldIssue } from '../../contract/common.ts';
import type { ApiKeyView } from '../../contract/dialer.ts';
import { hashApiKey } from './api-key-auth.ts';
import { listed, referenceIssues, single } from '../../kernel/assert-visible.ts';
import { id } from '../../kernel/ids.ts';
import { audit } from '../../kernel/audit.ts';
import type { CommandContext } from '../../kernel/command.ts';

/** Every key starts with this, so a leaked one is recognizable (secret scanners, logs). */
export const API_KEY_PREFIX = 'omk_';
/** How many leading characters the console shows to tell keys apart. */
const DISPLAY_PREFIX_LENGTH = 8;

/** ApiKeyInput; left out: no campaigns listed (all of its group), no dialer (it cannot send yet), no group. */
export const apiKeyInputSchema = z.object({
  name: z.string().trim().min(1, 'Name the key (which system uses it)').max(100),
  campaignIds: z
    .array(id)
    .max(500)
    .refine((ids) => new Set(ids).size === ids.length, 'A campaign is listed twice')
    .default([]),
  dialerId: id.nullable().default(null),
  securityGroupId: id.nullable().default(null),
});
export type ApiKeyChanges = z.infer<typeof apiKeyInputSchema>;

type ApiKeyRow = typeof apiKeys.$inferSelect;

/** The console's view of a key: never the key nor its hash. */
export function presentApiKey(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    campaignIds: row.campaignIds,
    dialerId: row.dialerId,
    securityGroupId: row.securityGroupId,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

/**
 * Ids the input names that do not exist or are out of the admin's sight, and a campaign or dialer
 * outside the key's security group (a key of one group sending through another group's dialer would
 * put its rows in that group's monitor): all at once.
 */
async function inputIssues(db: Executor, actor: Actor, input: ApiKeyChanges): Promise<FieldIssue[]> {
  const unseen = await referenceIssues(db, actor, {
    campaignIds: listed('campaignIds', input.campaignIds),
    dialerIds: single('dialerId', input.dialerId),
    securityGroupIds: single('securityGroupId', input.securityGroupId),
  });
  const unseenAt = new Map(unseen.map((issue) => [issue.path, issue]));
  const keyGroup = unseenAt.has('securityGroupId') ? null : input.securityGroupId;
  const outsideGroup = (groupId: number | null) => keyGroup !== null && groupId !== keyGroup;
  const issues: FieldIssue[] = [];
  const found = new Map(
    input.campaignIds.length
      ? (
          await db
            .select({ id: campaigns.id, name: campaigns.name, groupId: campaigns.securityGroupId })
            .from(campaigns)
            .where(inArray(campaigns.id, input.campaignIds))
        ).map((row) => [row.id, row])
      : [],
  );
  input.campaignIds.forEach((campaignId, index) => {
    const path = `campaignIds.${index}`;
    const campaign = found.get(campaignId);
    const hidden = unseenAt.get(path);
    if (hidden) issues.push(hidden);
    else if (campaign && outsideGroup(campaign.groupId)) issues.push({ path, message: `Campaign "${campaign.name}" is not in the key's security group` });
  });
  if (unseenAt.has('dialerId')) issues.push(unseenAt.get('dialerId')!);
  else if (input.dialerId !== null) {
    const [dialer] = await db.select({ name: dialers.name, groupId: dialers.securityGroupId }).from(dialers).where(eq(dialers.id, input.dialerId));
    // A shared dialer (no group) serves every group's keys.
    if (dialer && dialer.groupId !== null && outsideGroup(dialer.groupId))
      issues.push({ path: 'dialerId', message: `Dialer "${dialer.name}" is not in the key's security group` });
  }
  if (unseenAt.has('securityGroupId')) issues.push(unseenAt.get('securityGroupId')!);
  return issues;
}

/** Creates a key; returns its row and the plaintext key, which exists only in this answer (the table keeps its hash). */
export async function createApiKey({ uow: { tx }, actor }: CommandContext, input: ApiKeyChanges): Promise<{ row: ApiKeyRow; key: string }> {
  const issues = await inputIssues(tx, actor, input);
  if (issues.length) throw httpErrors.validation(issues);
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  const [row] = await tx
    .insert(apiKeys)
    .values({ ...input, prefix: key.slice(0, DISPLAY_PREFIX_LENGTH), keyHash: hashApiKey(key), createdByUserId: actor.userId })
    .returning();
  await audit(tx, {
    by: { userId: actor.userId },
    action: 'api_key.created',
    target: { type: 'api_key', id: row!.id },
    details: { name: input.name, prefix: row!.prefix, campaignIds: input.campaignIds, dialerId: input.dialerId, securityGroupId: input.securityGroupId },
  });
  return { row: row!, key };
}

/** Revokes a key at once (the next request with it is refused); revoking it again changes nothing. */
export async function revokeApiKey({ uow: { tx }, actor }: CommandContext, { id: keyId }: { id: number }): Promise<ApiKeyRow> {
  // The row lock makes two revocations at once audit one.
  const [row] = await tx.select().from(apiKeys).where(eq(apiKeys.id, keyId)).for('update');
  if (!row) throw httpErrors.notFound('API key');
  if (row.revokedAt) return row;
  const [revoked] = await tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, keyId)).returning();
  await audit(tx, {
    by: { userId: actor.userId },
    action: 'api_key.revoked',
    target: { type: 'api_key', id: keyId },
    details: { name: row.name, prefix: row.prefix },
  });
  return revoked!;
}

/** Every key, newest first, revoked ones included (the console shows when they were revoked). */
export async function listApiKeys(db: Executor): Promise<ApiKeyView[]> {
  return (await db.select().from(apiKeys).orderBy(desc(apiKeys.id))).map(presentApiKey);
}
