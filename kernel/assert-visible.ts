import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';
import { domainErrors } from './errors.ts';
import type { FieldIssue } from '../contract/common.ts';
import type { Actor } from './actor.ts';
import {
  transferableCampaigns,
  visibleBotFlows,
  visibleCampaigns,
  visibleChannels,
  visibleConversations,
  visibleDialers,
  visibleDncr,
  visibleSchedules,
  visibleUsers,
} from './visibility.ts';

/*
 * Every id a request names is checked here against the actor's sight (visibility.ts), all of them in
 * one statement. How a refusal answers, everywhere alike:
 * - an id in the path names the resource the request is about: out of sight it is a 404, the answer
 *   for one that does not exist, so the answer tells nothing;
 * - an id in the body or query is a reference: out of sight it is the same 400 as a missing one, at
 *   its field ("There is no channel 4" at `channelIds.1`), which forms show beside the field;
 * - 403 is kept for what is in sight but not the caller's to do: a route their role may not call,
 *   handing a campaign or dialer to a group they are not in (the same answer whether it exists).
 */

type Kind = { table: string; alias: string; label: string; visible: (actor: Actor) => SQL };

const KINDS = {
  campaignIds: { table: 'campaigns', alias: 'k', label: 'campaign', visible: visibleCampaigns },
  transferCampaignIds: { table: 'campaigns', alias: 'k', label: 'campaign', visible: transferableCampaigns },
  channelIds: { table: 'channels', alias: 'ch', label: 'channel', visible: visibleChannels },
  userIds: { table: 'users', alias: 'u', label: 'user', visible: visibleUsers },
  scheduleIds: { table: 'schedules', alias: 's', label: 'schedule', visible: visibleSchedules },
  botFlowIds: { table: 'bot_flows', alias: 'f', label: 'bot flow', visible: visibleBotFlows },
  dialerIds: { table: 'dialers', alias: 'd', label: 'dialer', visible: visibleDialers },
  conversationIds: { table: 'conversations', alias: 'c', label: 'conversation', visible: visibleConversations },
  dncrEntryIds: { table: 'dncr', alias: 'd', label: 'DNCR entry', visible: visibleDncr },
  // Existence only: which group an actor may hand an object to is assertOwnGroup's rule.
  securityGroupIds: { table: 'security_groups', alias: 'g', label: 'security group', visible: () => sql`true` },
} satisfies Record<string, Kind>;

export type NamedKind = keyof typeof KINDS;
/** The ids a request names, by kind. */
export type NamedIds = Partial<Record<NamedKind, readonly number[]>>;
/** An id a request body or query names, at its field path (`channelIds.1`, `scheduleId`). */
export type Reference = { path: string; id: number };
export type References = Partial<Record<NamedKind, readonly Reference[]>>;

/** The references of a list field, each at its index (`channelIds.0`…). */
export const listed = (field: string, ids: readonly number[] | undefined): Reference[] => (ids ?? []).map((id, index) => ({ path: `${field}.${index}`, id }));
/** The reference of a single field, if it names one. */
export const single = (field: string, id: number | null | undefined): Reference[] => (id == null ? [] : [{ path: field, id }]);

/** The named ids that do not exist or that the actor may not see, by kind: one statement, whatever the count. */
export async function unseenIds(db: Executor, actor: Actor, named: NamedIds): Promise<Map<NamedKind, Set<number>>> {
  const unseen = new Map<NamedKind, Set<number>>();
  const kinds = (Object.keys(named) as NamedKind[]).filter((kind) => named[kind]!.length > 0);
  if (!kinds.length) return unseen;
  const rows = kinds.flatMap((kind) => named[kind]!.map((id) => sql`(${kind}::text, ${id}::bigint)`));
  const branches = kinds.map((kind) => {
    const { table, alias, visible } = KINDS[kind];
    return sql`when ${kind} then exists (select 1 from ${sql.raw(`${table} ${alias}`)} where ${sql.raw(alias)}.id = n.id and ${visible(actor)})`;
  });
  const found = (await db.execute(sql`
    select n.kind, n.id from (values ${sql.join(rows, sql`, `)}) as n(kind, id)
     where not (case n.kind ${sql.join(branches, sql` `)} end)`)) as unknown as { kind: NamedKind; id: string | number }[];
  for (const row of found) {
    if (!unseen.has(row.kind)) unseen.set(row.kind, new Set());
    unseen.get(row.kind)!.add(Number(row.id));
  }
  return unseen;
}

/** Refuses (404, telling nothing) when any id the request's path names does not exist or is out of the actor's sight. */
export async function assertVisible(db: Executor, actor: Actor, named: NamedIds): Promise<void> {
  const unseen = await unseenIds(db, actor, named);
  const [first] = unseen.keys();
  if (!first) return;
  const label = KINDS[first].label;
  throw domainErrors.notFound(label.charAt(0).toUpperCase() + label.slice(1));
}

/** Issues for references that do not exist or are out of the actor's sight, alike: "There is no channel 4" at its path. */
export async function referenceIssues(db: Executor, actor: Actor, references: References): Promise<FieldIssue[]> {
  const kinds = Object.keys(references) as NamedKind[];
  const unseen = await unseenIds(db, actor, Object.fromEntries(kinds.map((kind) => [kind, references[kind]!.map((reference) => reference.id)])));
  return kinds.flatMap((kind) =>
    references[kind]!.filter((reference) => unseen.get(kind)?.has(reference.id)).map((reference) => ({
      path: reference.path,
      message: `There is no ${KINDS[kind].label} ${reference.id}`,
    })),
  );
}

/** Refuses (400 at each field) references that do not exist or are out of the actor's sight. */
export async function assertReferences(db: Executor, actor: Actor, references: References): Promise<void> {
  const issues = await referenceIssues(db, actor, references);
  if (issues.length) throw domainErrors.validation(issues);
}

/**
 * A supervisor may give a campaign or a dialer only one of their own security groups: handing it to
 * another group, or to none (every supervisor's), would give away what is theirs. A 403 whether the
 * group exists or not; keeping the group it has is always allowed.
 */
export function assertOwnGroup(actor: Actor, given: number | null | undefined, current: number | null, what: 'campaign' | 'dialer'): void {
  if (actor.role === 'admin' || given === undefined || given === current) return;
  if (given === null || !actor.securityGroupIds.includes(given)) {
    throw domainErrors.forbidden(`You can only give a ${what} one of your own security groups`);
  }
}
