import { sql } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';
import type { SpoolImportView } from '../contract/dialer.ts';

type ImportRow = {
  id: number;
  dialer_id: number;
  file_name: string;
  row_count: number;
  byte_count: number | string;
  created_at: Date | string;
  finished_at: Date | string | null;
  user_id: number | null;
  display_name: string | null;
  campaigns: Record<string, number> | string | null;
};

const iso = (value: Date | string) => new Date(value).toISOString();

/**
 * A dialer's imported files, newest first (or the one `importId`). Rows per campaign come from the
 * import's audit row: spool_imports has no column for them, and counting the spool by import would
 * read every row of the file (no index on import_id).
 */
export async function spoolImportViews(
  db: Executor,
  where: { dialerId: number; importId?: number; beforeId?: number; limit?: number },
): Promise<SpoolImportView[]> {
  const rows = (await db.execute(sql`
    select i.id, i.dialer_id, i.file_name, i.row_count, i.byte_count, i.created_at, i.finished_at,
           u.id as user_id, u.display_name,
           (select a.details -> 'campaigns' from audit_log a
             where a.target_type = 'spool_import' and a.target_id = i.id::text and a.action = 'spool.imported'
             order by a.id limit 1) as campaigns
      from spool_imports i left join users u on u.id = i.created_by_user_id
     where i.dialer_id = ${where.dialerId}
       ${where.importId === undefined ? sql`` : sql`and i.id = ${where.importId}`}
       ${where.beforeId === undefined ? sql`` : sql`and i.id < ${where.beforeId}`}
     order by i.id desc
     limit ${where.limit ?? 50}`)) as unknown as ImportRow[];
  return rows.map((row) => ({
    id: row.id,
    dialerId: row.dialer_id,
    fileName: row.file_name,
    rows: row.row_count,
    bytes: Number(row.byte_count),
    campaigns: typeof row.campaigns === 'string' ? JSON.parse(row.campaigns) : (row.campaigns ?? {}),
    createdBy: row.user_id === null ? null : { id: row.user_id, displayName: row.display_name! },
    createdAt: iso(row.created_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
  }));
}
