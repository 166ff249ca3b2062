import { randomBytes } from 'node:crypto';
import { desc, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor, Tx } from '../../db/connection.ts';
import { apiKeys, auditLog, campaigns, dialers, securityGroups } from '../../db/schema/index.ts';
import type { Actor } from '../../console/api/sessions.ts';
import { httpErrors } from '../../server/http-errors.ts';
import type { ApiKeyView, FieldIssue } from '../../console/wire.ts';
import { hashApiKey } from './api-key-auth.ts';

/** Every key starts with this, so a leaked one is recognizable (secret scanners, logs). */
export const API_KEY_PREFIX = 'omk_';
/** How many leading characters the console shows to tell keys apart. */
const DISPLAY_PREFIX_LENGTH = 8;

const id = z.number().int().positive();

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

/** Ids the input names that do not exist, and campaigns outside the key's security group: all at once. */
async function inputIssues(db: Executor, input: ApiKeyChanges): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  let groupExists = false;
  if (input.securityGroupId !== null) {
    const [group] = await db.select({ id: securityGroups.id }).from(securityGroups).where(eq(securityGroups.id, input.securityGroupId));
    groupExists = group !== undefined;
  }
  if (input.campaignIds.length) {
    const found = new Map(
      (await db.select({ id: campaigns.id, name: campaigns.name, groupId: campaigns.securityGroupId }).from(campaigns).where(inArray(campaigns.id, input.campaignIds))).map((row) => [row.id, row]),
    );
    input.campaignIds.forEach((campaignId, index) => {
      const campaign = found.get(campaignId);
      if (!campaign) issues.push({ path: `campaignIds.${index}`, message: `There is no campaign ${campaignId}` });
      else if (groupExists && campaign.groupId !== input.securityGroupId) {
        issues.push({ path: `campaignIds.${index}`, message: `Campaign "${campaign.name}" is not in the key's security group` });
      }
    });
  }
  if (input.dialerId !== null) {
    const [dialer] = await db.select({ id: dialers.id }).from(dialers).where(eq(dialers.id, input.dialerId));
    if (!dialer) issues.push({ path: 'dialerId', message: `There is no dialer ${input.dialerId}` });
  }
  if (input.securityGroupId !== null && !groupExists) issues.push({ path: 'securityGroupId', message: `There is no security group ${input.securityGroupId}` });
  return issues;
}

/** Creates a key; returns its row and the plaintext key, which exists only in this answer (the table keeps its hash). */
export async function createApiKey(tx: Tx, actor: Actor, input: ApiKeyChanges): Promise<{ row: ApiKeyRow; key: string }> {
  const issues = await inputIssues(tx, input);
  if (issues.length) throw httpErrors.validation(issues);
  const key = API_KEY_PREFIX + randomBytes(32).toString('base64url');
  const [row] = await tx
    .insert(apiKeys)
    .values({ ...input, prefix: key.slice(0, DISPLAY_PREFIX_LENGTH), keyHash: hashApiKey(key), createdByUserId: actor.userId })
    .returning();
  await tx.insert(auditLog).values({
    actorUserId: actor.userId,
    action: 'api_key.created',
    targetType: 'api_key',
    targetId: String(row!.id),
    details: { name: input.name, prefix: row!.prefix, campaignIds: input.campaignIds, dialerId: input.dialerId, securityGroupId: input.securityGroupId },
  });
  return { row: row!, key };
}

/** Revokes a key at once (the next request with it is refused); revoking it again changes nothing. */
export async function revokeApiKey(tx: Tx, actor: Actor, keyId: number): Promise<ApiKeyRow> {
  // The row lock makes two revocations at once audit one.
  const [row] = await tx.select().from(apiKeys).where(eq(apiKeys.id, keyId)).for('update');
  if (!row) throw httpErrors.notFound('API key');
  if (row.revokedAt) return row;
  const [revoked] = await tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, keyId)).returning();
  await tx.insert(auditLog).values({ actorUserId: actor.userId, action: 'api_key.revoked', targetType: 'api_key', targetId: String(keyId), details: { name: row.name, prefix: row.prefix } });
  return revoked!;
}

/** Every key, newest first, revoked ones included (the console shows when they were revoked). */
export async function listApiKeys(db: Executor): Promise<ApiKeyView[]> {
  return (await db.select().from(apiKeys).orderBy(desc(apiKeys.id))).map(presentApiKey);
}
