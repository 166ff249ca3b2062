import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';

/**
 * The campaigns an uploaded file may name, by exact name, with their ids: those `visible` (a
 * condition on alias `k`, e.g. visibleCampaigns(actor)) lets the uploader see. A campaign out of
 * the uploader's sight "does not exist" for the file, as it doesn't in the rest of the console.
 */
export async function campaignsByName(db: Executor, visible: SQL = sql`true`): Promise<Map<string, number>> {
  const rows = (await db.execute(sql`select k.id, k.name from campaigns k where ${visible}`)) as unknown as { id: number; name: string }[];
  return new Map(rows.map((row) => [row.name, row.id]));
}
