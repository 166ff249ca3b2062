import type { Executor } from '../db/connection.ts';
import { auditLog } from '../db/schema/index.ts';

/**
 * One line of the audit log: who (a user — an `Actor` will do — an API key, or null for the platform
 * itself), did what (`conversation.closed`, `campaign.updated`…), to what, and the details worth
 * keeping. Written in the same transaction as the change it records.
 */
export type AuditEntry = {
  by: { userId: number | null } | { apiKeyId: number } | null;
  action: string;
  target?: { type: string; id: string | number | null };
  details?: Record<string, unknown>;
};

/** Records entries in the audit log (one statement for all of them). */
export async function audit(db: Executor, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db.insert(auditLog).values(
    entries.map(({ by, action, target, details }) => ({
      actorUserId: by && 'userId' in by ? by.userId : null,
      actorApiKeyId: by && 'apiKeyId' in by ? by.apiKeyId : null,
      action,
      targetType: target?.type ?? null,
      targetId: target?.id === undefined || target.id === null ? null : String(target.id),
      details: details ?? {},
    })),
  );
}
