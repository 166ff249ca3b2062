import type postgres from 'postgres';
import { SPOOL_STATES } from '../db/schema/index.ts';
import type { SpoolState } from './spool-state.ts';

/** A claimed row, as the dialer needs it to send. */
export type ClaimedRow = {
  id: number;
  campaignId: number;
  destination: string;
  message: string;
  device: string | null;
  data: string | null;
  priority: number;
  attempts: number;
};

/** How a claimed row ended: its final state, with the provider's id or the reason. */
export type Outcome = { id: number; state: SpoolState; providerMessageId?: string | null; error?: string | null; stored?: boolean };

/**
 * Claims the next rows of a dialer, in order (priority, higher first, then entry position = id).
 * `FOR UPDATE SKIP LOCKED` lets every worker on every node claim at once without waiting or taking
 * the same row; the claim commits (claimed_at, claimed_by, attempts + 1) before anything is sent,
 * so a worker that dies leaves a durable mark on exactly the rows it had in hand.
 */
export async function claimBatch(sql: postgres.Sql, dialerId: number, workerId: string, limit: number): Promise<ClaimedRow[]> {
  const rows = await sql<ClaimedRow[]>`
    update spool s set claimed_at = clock_timestamp(), claimed_by = ${workerId}, attempts = s.attempts + 1
      from (select id from spool
             where dialer_id = ${dialerId} and state = 1 and claimed_at is null
               and (not_before is null or not_before <= clock_timestamp())
             order by priority desc nulls last, id
             limit ${limit}
             for update skip locked) c
     where s.id = c.id
    returning s.id, s.campaign_id as "campaignId", s.destination, s.message, s.device, s.data, s.priority, s.attempts`;
  // RETURNING follows the join, not the ORDER BY: put the batch back in claim order (ids come as bigint text).
  for (const row of rows) row.id = Number(row.id);
  return rows.sort((a, b) => b.priority - a.priority || a.id - b.id);
}

/**
 * Stores the outcomes of claimed rows in one statement. Only rows still TO PROCESS and claimed by this
 * worker change: a row recovered from this worker meanwhile (it was thought dead) keeps the state
 * its new owner gives it. Answers how many rows changed.
 */
export async function recordOutcomes(sql: postgres.Sql, workerId: string, outcomes: readonly Outcome[]): Promise<number> {
  if (outcomes.length === 0) return 0;
  // spool_record (migration 0004) pins the plan: the batch drives the join, one primary-key probe per row.
  const [result] = await sql<{ count: number }[]>`
    select spool_record(${sql.array(outcomes.map((o) => o.id))}::bigint[], ${sql.array(outcomes.map((o) => o.state))}::int2[],
                        ${sql.array(outcomes.map((o) => o.providerMessageId ?? null))}::text[], ${sql.array(outcomes.map((o) => o.error ?? null))}::text[],
                        ${workerId}) as count`;
  return result!.count;
}

/**
 * Gives claimed rows back without sending them (the dialer stopped, quiet hours, a retryable
 * failure): waiting again, not before `notBefore` when given. A release is not an attempt.
 */
export async function releaseRows(
  sql: postgres.Sql,
  workerId: string,
  ids: readonly number[],
  notBefore: Date | null = null,
  error: string | null = null,
): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    update spool set claimed_at = null, claimed_by = null, attempts = greatest(attempts - 1, 0),
           not_before = ${notBefore ? notBefore.toISOString() : null}::timestamptz, error = coalesce(${error}, error)
     where id = any(${sql.array([...ids])}::bigint[]) and state = ${SPOOL_STATES.TO_PROCESS} and claimed_by = ${workerId}`;
}

/** Rows handed out again because their worker died holding them. */
export type Recovered = { dialerId: number; ids: number[] };

/**
 * Hands the claims of dead workers (heartbeat older than `timeoutMs`) back to the queue, and forgets
 * those workers, in one statement. Such a row may or may not have reached the provider: it is sent
 * again (at most the dead worker's batch in flight), its `attempts` stays counted and its `error`
 * says so, and the caller logs and audits it: never silently. `workerId`, the caller, is never
 * among the dead.
 */
export async function recoverDeadClaims(sql: postgres.Sql, workerId: string, timeoutMs: number): Promise<Recovered[]> {
  const stale = sql`clock_timestamp() - make_interval(secs => ${timeoutMs / 1000}::double precision)`;
  // A worker asking is alive, however late its own heartbeat (a loaded machine, a busy pool): were
  // it counted, it would hand out the rows its own loops are sending, and claim and send them again.
  const dead = sql`heartbeat_at < ${stale} and id <> ${workerId}`;
  // The common case (nobody died) must not touch the spool at all.
  const [anyDead] = await sql`select 1 from dialer_workers where ${dead} limit 1`;
  if (!anyDead) return [];
  const rows = await sql<{ dialerId: number; id: number }[]>`
    with dead as (
      delete from dialer_workers where ${dead}
      returning id
    )
    update spool s set claimed_at = null, claimed_by = null,
           error = 'handed out again: its worker stopped answering mid-batch, so it may have been sent already'
      from dead
     where s.claimed_by = dead.id and s.state = ${SPOOL_STATES.TO_PROCESS}
    returning s.dialer_id as "dialerId", s.id`;
  const byDialer = new Map<number, number[]>();
  for (const row of rows) byDialer.set(row.dialerId, [...(byDialer.get(row.dialerId) ?? []), Number(row.id)]);
  return [...byDialer].map(([dialerId, ids]) => ({ dialerId, ids: ids.sort((a, b) => a - b) }));
}
