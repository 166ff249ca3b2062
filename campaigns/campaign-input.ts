import { inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '../db/connection.ts';
import { ACD_FULL_ACTIONS, CAMPAIGN_STRATEGIES, OPT_OUT_DEFAULTS, OPT_OUT_SCOPES, users } from '../db/schema/index.ts';
import { normalizeText } from '../bots/understand.ts';
import type { FieldIssue } from '../contract/common.ts';
import { listed, referenceIssues, single } from '../kernel/assert-visible.ts';
import { visibleCampaigns } from '../kernel/visibility.ts';
import type { Actor } from '../kernel/actor.ts';
import { id } from '../kernel/ids.ts';

/** Refuses an item whose key repeats an earlier one, at the repeat's path (`didPorts.2`, `cannedResponses.3.shortcut`). */
function distinct<T>(what: string, key: (item: T) => string, field?: string) {
  return (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Map<string, number>();
    items.forEach((item, index) => {
      const first = seen.get(key(item));
      if (first === undefined) seen.set(key(item), index);
      else ctx.addIssue({ code: 'custom', path: field ? [index, field] : [index], message: `${what} is listed twice (also at position ${first})` });
    });
  };
}

const seconds = z.number().int().min(1, 'at least 1 second').max(86_400, 'at most 86400 seconds (a day)');
/** An optional text: blank means none. */
const optionalMessage = z
  .string()
  .trim()
  .max(1024)
  .nullable()
  .transform((value) => (value === '' ? null : value));
const message = z.string().trim().min(1, 'Write the message').max(1024);
const keyword = z
  .string()
  .trim()
  .min(1)
  .max(30)
  .refine((value) => normalizeText(value) !== '', 'needs a letter or a digit');
const keywords = z.array(keyword).min(1, 'at least one keyword').max(20, 'at most 20 keywords').superRefine(distinct('This keyword', normalizeText));

/** Every field of CampaignInput, each optional: POST requires the name on top, PATCH changes only what it names. */
export const campaignFields = {
  name: z.string().trim().min(1, 'Name the campaign').max(100),
  didPorts: z
    .array(z.string().trim().min(1).max(64))
    .max(100)
    .superRefine(distinct('This DID-Port', (value) => value)),
  channelIds: z.array(id).max(100).superRefine(distinct('This channel', String)),
  strategy: z.enum(CAMPAIGN_STRATEGIES),
  scheduleId: id.nullable(),
  greetingMessage: optionalMessage,
  outOfTimeMessage: optionalMessage,
  queueFullMessage: optionalMessage,
  serviceLevelSeconds: seconds,
  churnSeconds: seconds,
  chatTimeSeconds: seconds,
  acdMaxWaiting: z.number().int().min(0).max(100_000),
  acdFullAction: z.enum(ACD_FULL_ACTIONS),
  maxInteractionsPerAgent: z.number().int().min(1).max(100),
  agentAnswerTimeoutSeconds: z.number().int().min(10, 'at least 10 seconds, or null for no limit').max(86_400).nullable(),
  stickyAgent: z.boolean(),
  enabled: z.boolean(),
  securityGroupId: id.nullable(),
  botFlowId: id.nullable(),
  cannedResponses: z
    .array(
      z.object({
        shortcut: z
          .string()
          .trim()
          .regex(/^[a-z0-9_-]{1,32}$/i, '1 to 32 letters, digits, _ or -'),
        body: z.string().trim().min(1, 'Write the response').max(4096),
      }),
    )
    .max(200, 'at most 200 responses')
    .superRefine(distinct('This shortcut', (response: { shortcut: string }) => response.shortcut.toLowerCase(), 'shortcut')),
  optOutKeywords: keywords,
  optInKeywords: keywords,
  helpKeywords: keywords,
  optOutScope: z.enum(OPT_OUT_SCOPES),
  optOutMessage: message,
  optInMessage: message,
  helpMessage: message,
};

/** POST /api/campaigns: only the name is required; what is left out takes the database's default. */
export const createCampaignSchema = z
  .object({ ...campaignFields })
  .partial()
  .required({ name: true });
/** PATCH /api/campaigns/:id: no defaults, so a PATCH never resets what it does not name. */
export const updateCampaignSchema = z.object({ ...campaignFields }).partial();
export type CampaignChanges = z.infer<typeof updateCampaignSchema>;

export const membersSchema = z.object({
  userIds: z.array(id).max(1000).superRefine(distinct('This user', String)),
});

export const memberChangeSchema = z.object({
  campaignIds: z.array(id).min(1, 'Choose at least one campaign').max(500).superRefine(distinct('This campaign', String)),
  userIds: z.array(id).min(1, 'Choose at least one agent').max(1000).superRefine(distinct('This user', String)),
  action: z.enum(['add', 'remove']),
});

const KEYWORD_LISTS = ['optOutKeywords', 'optInKeywords', 'helpKeywords'] as const;
type KeywordLists = Record<(typeof KEYWORD_LISTS)[number], string[]>;

/**
 * A keyword in two lists would make one message both STOP and HELP (the bot checks opt-out first,
 * so the other list would silently never win): refused at the later list's path. Compared as the
 * bot compares them, case, accents and punctuation ignored. Lists a request leaves out are the
 * campaign's current ones (or the defaults for a new campaign).
 */
export function keywordClashes(given: Partial<KeywordLists>, current: KeywordLists = OPT_OUT_DEFAULTS): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const owners = new Map<string, { list: string; index: number }>();
  for (const list of KEYWORD_LISTS) {
    (given[list] ?? current[list]).forEach((word, index) => {
      const key = normalizeText(word);
      const owner = owners.get(key);
      if (!owner) owners.set(key, { list, index });
      else if (owner.list !== list) {
        // Point at the list this request changed, the field the user just edited.
        const [path, other] = given[list] ? [`${list}.${index}`, owner.list] : [`${owner.list}.${owner.index}`, list];
        issues.push({ path, message: `"${word}" is already one of the ${other}` });
      }
    });
  }
  return issues;
}

/** What a campaign refers to now, to tell what a request attaches from what it keeps. */
export type CurrentReferences = { channelIds: number[]; scheduleId: number | null; botFlowId: number | null };

/**
 * Issues for ids a request names that do not exist or are out of the actor's sight (`channelIds.1`,
 * `scheduleId`…), alike: a 400, never a foreign-key 409. Only what the request attaches is checked:
 * what the campaign already has (a channel an admin shares with another group's campaign) may stay.
 */
export async function referenceIssuesOf(db: Executor, actor: Actor, input: CampaignChanges, current: CurrentReferences | null): Promise<FieldIssue[]> {
  const issues = await referenceIssues(db, actor, {
    channelIds: listed('channelIds', input.channelIds).filter((reference) => !current?.channelIds.includes(reference.id)),
    scheduleIds: input.scheduleId === current?.scheduleId ? [] : single('scheduleId', input.scheduleId),
    botFlowIds: input.botFlowId === current?.botFlowId ? [] : single('botFlowId', input.botFlowId),
    securityGroupIds: single('securityGroupId', input.securityGroupId),
  });
  return issues;
}

/**
 * Issues for DID-Ports another campaign already lists on a channel this one shares: routing picks a
 * conversation's campaign by DID among the campaigns of its channel (routing/resolve-campaign.ts), so
 * two of them with one DID would make the choice arbitrary. Disabled campaigns count too, since
 * enabling one must not create the clash. A campaign out of the actor's sight is not named.
 */
export async function didPortClashes(db: Executor, actor: Actor, campaignId: number | null, didPorts: string[], channelIds: number[]): Promise<FieldIssue[]> {
  if (!didPorts.length || !channelIds.length) return [];
  const rows = (await db.execute(sql`
    select distinct on (p.port) p.port, case when ${visibleCampaigns(actor)} then k.name end as campaign_name, ch.name as channel_name
      from campaigns k
      join campaign_channels cc on cc.campaign_id = k.id
      join channels ch on ch.id = cc.channel_id
      cross join lateral unnest(k.did_ports) as p(port)
     where cc.channel_id in ${channelIds} and k.id <> ${campaignId ?? -1} and p.port in ${didPorts}
     order by p.port, k.id, ch.id`)) as unknown as { port: string; campaign_name: string | null; channel_name: string }[];
  const taken = new Map(rows.map((row) => [row.port, row]));
  return didPorts.flatMap((port, index) => {
    const owner = taken.get(port);
    if (!owner) return [];
    const campaign = owner.campaign_name === null ? 'another campaign' : `campaign "${owner.campaign_name}"`;
    return [{ path: `didPorts.${index}`, message: `"${port}" is already a DID-Port of ${campaign} on channel "${owner.channel_name}"` }];
  });
}

/**
 * Issues for user ids that cannot be members: unknown users, users out of the actor's sight, and
 * admins. Users in `current` (members already) are not checked for sight: they may stay or go.
 */
export async function memberIssues(tx: Executor, actor: Actor, userIds: number[], current: readonly number[] = []): Promise<FieldIssue[]> {
  if (!userIds.length) return [];
  const unseen = new Set(
    (await referenceIssues(tx, actor, { userIds: listed('userIds', userIds).filter((reference) => !current.includes(reference.id)) })).map(
      (issue) => issue.path,
    ),
  );
  const found = new Map((await tx.select({ id: users.id, role: users.role }).from(users).where(inArray(users.id, userIds))).map((row) => [row.id, row.role]));
  return userIds.flatMap((userId, index) => {
    const role = found.get(userId);
    if (!role || unseen.has(`userIds.${index}`)) return [{ path: `userIds.${index}`, message: `There is no user ${userId}` }];
    if (role === 'admin') return [{ path: `userIds.${index}`, message: `User ${userId} is an admin; only agents and supervisors can be members` }];
    return [];
  });
}
