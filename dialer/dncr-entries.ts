import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';
import { dncr } from '../db/schema/index.ts';
import type { DncrEntry } from '../contract/dialer.ts';
import type { Actor } from '../kernel/actor.ts';
import { visibleDncr } from '../kernel/visibility.ts';
import { assertReferences, single } from '../kernel/assert-visible.ts';
import { domainErrors } from '../kernel/errors.ts';
import { dncrNumber } from './dncr.ts';
import { audit } from '../kernel/audit.ts';
import type { CommandContext } from '../kernel/command.ts';

type DncrRow = {
  id: number | string;
  number: string;
  campaign_id: number | null;
  campaign_name: string | null;
  source: DncrEntry['source'];
  created_at: Date | string;
};

function present(row: DncrRow): DncrEntry {
  return {
    id: Number(row.id),
    number: row.number,
    campaign: row.campaign_id === null ? null : { id: row.campaign_id, name: row.campaign_name! },
    source: row.source,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export type DncrQuery = { q?: string; campaignId?: number | 'global'; limit: number; beforeId?: number };

/** DNCR entries the actor may see, newest first; `q` matches the digits of a number or its stored form. */
export async function listDncr(db: Executor, actor: Actor, query: DncrQuery, country: string): Promise<DncrEntry[]> {
  if (typeof query.campaignId === 'number') await assertReferences(db, actor, { campaignIds: single('campaignId', query.campaignId) });
  const filters: SQL[] = [visibleDncr(actor)];
  if (query.campaignId === 'global') filters.push(sql`d.campaign_id is null`);
  else if (query.campaignId !== undefined) filters.push(sql`d.campaign_id = ${query.campaignId}`);
  if (query.beforeId !== undefined) filters.push(sql`d.id < ${query.beforeId}`);
  const digits = query.q?.replace(/\D/g, '');
  if (query.q?.trim()) {
    const stored = dncrNumber(query.q, country);
    filters.push(sql`(${digits ? sql`d.number like ${`%${digits}%`}` : sql`false`} or d.number = ${stored ?? ''})`);
  }
  const rows = (await db.execute(sql`
    select d.id, d.number, d.campaign_id, k.name as campaign_name, d.source, d.created_at
      from dncr d left join campaigns k on k.id = d.campaign_id
     where ${sql.join(filters, sql` and `)}
     order by d.id desc limit ${query.limit}`)) as unknown as DncrRow[];
  return rows.map(present);
}

async function loadEntry(db: Executor, actor: Actor, id: number): Promise<DncrEntry | null> {
  const [row] = (await db.execute(sql`
    select d.id, d.number, d.campaign_id, k.name as campaign_name, d.source, d.created_at
      from dncr d left join campaigns k on k.id = d.campaign_id
     where d.id = ${id} and ${visibleDncr(actor)}`)) as unknown as DncrRow[];
  return row ? present(row) : null;
}

/**
 * Puts a number on the global list (campaignId null) or a campaign's, stored in its one DNCR form
 * (dncrNumber). Already there: the existing entry, `created` false. The unique (number, campaign)
 * key decides, so two people adding the same number at once get one row.
 */
export async function addDncrNumber(
  { uow: { tx }, actor }: CommandContext,
  input: { number: string; campaignId: number | null; country: string },
): Promise<{ entry: DncrEntry; created: boolean }> {
  const { country } = input;
  const number = dncrNumber(input.number, country);
  if (!number) throw domainErrors.validation([{ path: 'number', message: `"${input.number}" is not a phone number` }]);
  await assertReferences(tx, actor, { campaignIds: single('campaignId', input.campaignId) });
  const [inserted] = await tx
    .insert(dncr)
    .values({ number, campaignId: input.campaignId, source: 'manual', createdByUserId: actor.userId })
    .onConflictDoNothing()
    .returning({ id: dncr.id });
  if (inserted) {
    await audit(tx, {
      by: { userId: actor.userId },
      action: 'dncr.added',
      target: { type: 'dncr', id: inserted.id },
      details: { number, campaignId: input.campaignId },
    });
  }
  const [existing] = (await tx.execute(sql`
    select d.id from dncr d where d.number = ${number} and d.campaign_id is not distinct from ${input.campaignId}`)) as unknown as { id: number }[];
  const entry = await loadEntry(tx, actor, Number(existing!.id));
  return { entry: entry!, created: Boolean(inserted) };
}

/** Takes a number off its list (404 when the actor can't see the entry); the removal is audited. */
export async function removeDncrEntry({ uow: { tx }, actor }: CommandContext, { id }: { id: number }): Promise<void> {
  const entry = await loadEntry(tx, actor, id);
  if (!entry) throw domainErrors.notFound('DNCR entry');
  await tx.execute(sql`delete from dncr where id = ${id}`);
  await audit(tx, {
    by: { userId: actor.userId },
    action: 'dncr.removed',
    target: { type: 'dncr', id: id },
    details: { number: entry.number, campaignId: entry.campaign?.id ?? null, source: entry.source },
  });
}
