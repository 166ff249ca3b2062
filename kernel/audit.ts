import type postgres from 'postgres';
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

function columns({ by, action, target, details }: AuditEntry) {
  return {
    actorUserId: by && 'userId' in by ? by.userId : null,
    actorApiKeyId: by && 'apiKeyId' in by ? by.apiKeyId : null,
    action,
    targetType: target?.type ?? null,
    targetId: target?.id === undefined || target.id === null ? null : String(target.id),
    details: details ?? {},
  };
}

/** Records entries in the audit log (one statement for all of them). */
export async function audit(db: Executor, ...entries: AuditEntry[]): Promise<void> {
  if (entries.length) await db.insert(auditLog).values(entries.map(columns));
}

/** The same on a postgres.js transaction, for work that runs on the driver itself (a COPY import). */
export async function auditOnDriver(tx: postgres.TransactionSql, entry: AuditEntry): Promise<void> {
  const row = columns(entry);
  await tx`
    insert into audit_log (actor_user_id, actor_api_key_id, action, target_type, target_id, details)
    values (${row.actorUserId}, ${row.actorApiKeyId}, ${row.action}, ${row.targetType}, ${row.targetId}, ${JSON.stringify(row.details)}::jsonb)`;
}
