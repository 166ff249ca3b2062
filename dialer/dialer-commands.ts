import { and, eq, ne, sql } from 'drizzle-orm';
import type { Tx } from '../db/connection.ts';
import { dialers, SPOOL_STATES, type spool } from '../db/schema/index.ts';
import type { Actor } from '../kernel/actor.ts';
import { domainErrors } from '../kernel/errors.ts';
import { visibleCampaigns, visibleDialers } from '../kernel/visibility.ts';
import { assertOwnGroup, assertReferences, single } from '../kernel/assert-visible.ts';
import { signalDialer } from './dialer-signal.ts';
import { spoolMessage } from './spool-message.ts';
import { dialerIssues, type DialerChanges } from './dialer-settings.ts';
import type { createDialerSchema } from './dialer-settings.ts';
import type { z } from 'zod';
import { audit } from '../kernel/audit.ts';
import type { CommandContext } from '../kernel/command.ts';

type DialerRow = typeof dialers.$inferSelect;

/** The dialer, locked for this change, if the actor may see it; else 404. */
export async function lockVisibleDialer(tx: Tx, actor: Actor, id: number): Promise<DialerRow> {
  const [visible] = await tx.execute(sql`select d.id from dialers d where d.id = ${id} and ${visibleDialers(actor)} for update`);
  const row = visible && (await tx.query.dialers.findFirst({ where: eq(dialers.id, id) }));
  if (!row) throw domainErrors.notFound('Dialer');
  return row;
}

async function assertNameFree(tx: Tx, name: string, exceptId: number | null) {
  const [taken] = await tx
    .select({ id: dialers.id })
    .from(dialers)
    .where(exceptId === null ? eq(dialers.name, name) : and(eq(dialers.name, name), ne(dialers.id, exceptId)));
  if (taken) throw domainErrors.conflict(`A dialer named "${name}" already exists`);
}

export async function createDialer({ uow: { tx }, actor }: CommandContext, input: z.infer<typeof createDialerSchema>): Promise<number> {
  const issues = await dialerIssues(tx, actor, input, {
    channelId: input.channelId,
    dialString: input.dialString ?? null,
    timeBetweenMessagesMs: input.timeBetweenMessagesMs ?? 1000,
    template: input.template ?? null,
  });
  if (issues.length) throw domainErrors.validation(issues);
  await assertNameFree(tx, input.name, null);
  const [row] = await tx.insert(dialers).values(input).returning({ id: dialers.id });
  await audit(tx, { by: actor, action: 'dialer.created', target: { type: 'dialer', id: row!.id }, details: { name: input.name, fields: Object.keys(input) } });
  return row!.id;
}

export async function updateDialer({ uow: { tx }, actor }: CommandContext, { id, changes: input }: { id: number; changes: DialerChanges }): Promise<void> {
  const current = await lockVisibleDialer(tx, actor, id);
  assertOwnGroup(actor, input.securityGroupId, current.securityGroupId, 'dialer');
  const issues = await dialerIssues(
    tx,
    actor,
    input,
    {
      channelId: input.channelId ?? current.channelId,
      dialString: input.dialString !== undefined ? input.dialString : current.dialString,
      timeBetweenMessagesMs: input.timeBetweenMessagesMs ?? current.timeBetweenMessagesMs,
      template: input.template !== undefined ? input.template : current.template,
    },
    current,
  );
  if (issues.length) throw domainErrors.validation(issues);
  if (input.name !== undefined) await assertNameFree(tx, input.name, id);
  // A disabled dialer cannot stay started (the table's check says so too).
  const running = input.enabled === false ? false : current.running;
  await tx
    .update(dialers)
    .set({
      ...input,
      running,
      ...(running !== current.running ? { runningChangedAt: new Date(), runningChangedByUserId: actor.userId } : {}),
      updatedAt: new Date(),
    })
    .where(eq(dialers.id, id));
  await audit(tx, { by: actor, action: 'dialer.updated', target: { type: 'dialer', id: id }, details: { fields: Object.keys(input) } });
  await signalDialer(tx, id);
}

export async function deleteDialer({ uow: { tx }, actor }: CommandContext, { id }: { id: number }): Promise<void> {
  const current = await lockVisibleDialer(tx, actor, id);
  await audit(tx, { by: actor, action: 'dialer.deleted', target: { type: 'dialer', id: id }, details: { name: current.name } });
  // Spool rows refuse it (spool_dialer_guard): the route answers 409.
  await tx.delete(dialers).where(eq(dialers.id, id));
}

/**
 * Start or stop on demand. A dialer starts only when enabled. Stopping is heard by every node's
 * runner at once (pg_notify at commit): the sends in hand finish, the rest of their batches go back
 * to the queue, nothing more is sent.
 */
export async function setRunning({ uow: { tx }, actor }: CommandContext, { id, running }: { id: number; running: boolean }): Promise<void> {
  const current = await lockVisibleDialer(tx, actor, id);
  if (running && !current.enabled) throw domainErrors.conflict(`Dialer "${current.name}" is not enabled: enable it before starting it`, 'not_enabled');
  if (current.running === running) return;
  await tx.update(dialers).set({ running, runningChangedAt: new Date(), runningChangedByUserId: actor.userId }).where(eq(dialers.id, id));
  await audit(tx, { by: actor, action: running ? 'dialer.started' : 'dialer.stopped', target: { type: 'dialer', id: id }, details: {} });
  await signalDialer(tx, id);
}

/**
 * The monitor's Delete: every unprocessed row (TO PROCESS or NONE, of one campaign or all those the
 * actor sees) becomes CANCELLED and stays on record. Rows a worker holds right now are skipped: they are being sent.
 */
export async function cancelUnprocessed(
  { uow: { tx }, actor }: CommandContext,
  { id, campaignId }: { id: number; campaignId: number | null },
): Promise<number> {
  await lockVisibleDialer(tx, actor, id);
  await assertReferences(tx, actor, { campaignIds: single('campaignId', campaignId) });
  // A shared dialer carries other groups' campaigns too: a supervisor's Delete cancels only the rows of campaigns they see.
  const ofCampaigns =
    campaignId !== null
      ? sql`and campaign_id = ${campaignId}`
      : sql`and exists (select 1 from campaigns k where k.id = spool.campaign_id and ${visibleCampaigns(actor)})`;
  const result = await tx.execute(sql`
    update spool set state = ${SPOOL_STATES.CANCELLED}, processed_at = clock_timestamp(), error = 'cancelled from the monitor'
     where dialer_id = ${id} and state in (${SPOOL_STATES.NONE}, ${SPOOL_STATES.TO_PROCESS}) and claimed_at is null ${ofCampaigns}`);
  const cancelled = (result as unknown as { count: number }).count;
  await audit(tx, { by: actor, action: 'dialer.cancelled', target: { type: 'dialer', id: id }, details: { campaignId, cancelled } });
  return cancelled;
}

/** A single message (the seed's single send) on a dialer in sight, for a campaign in sight, ahead of its broadcasts; `idm` names who sent it. */
export async function sendSingleMessage(
  { uow: { tx }, actor }: CommandContext,
  input: { dialerId: number; campaignId: number; destination: string; message: string },
): Promise<typeof spool.$inferSelect> {
  await lockVisibleDialer(tx, actor, input.dialerId);
  await assertReferences(tx, actor, { campaignIds: single('campaignId', input.campaignId) });
  return spoolMessage(tx, { ...input, idm: `user:${actor.username}` });
}
