import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/connection.ts';
import { HttpError, httpErrors } from '../http-errors.ts';
import type { ApiCaller } from './api-key-auth.ts';

/**
 * The campaigns a key may send for and read, as a condition on alias `k`: the campaigns it lists, or,
 * when it lists none, every campaign of its security group, or every campaign when it has no group.
 * A key with both keeps to the campaigns it lists that are still in its group (a campaign moved to
 * another group leaves the key's reach). Unlike a supervisor, a key with a group does not reach the
 * campaigns without one: a credential held by another system gets the narrower reading.
 */
export function keyCampaigns(caller: ApiCaller): SQL {
  const listed = caller.campaignIds.length ? sql`k.id in ${caller.campaignIds}` : sql`true`;
  const grouped = caller.securityGroupId === null ? sql`true` : sql`k.security_group_id = ${caller.securityGroupId}`;
  return sql`(${listed} and ${grouped})`;
}

export type CampaignRef = { name?: string | undefined; id?: number | undefined };

/**
 * The campaign a request names (by name or id) if the key may use it: 422 when it does not exist,
 * 403 when it is outside the key's campaigns. A request that names none gets the key's only campaign,
 * or a 400 when the key has several.
 */
export async function resolveKeyCampaign(db: Executor, caller: ApiCaller, ref: CampaignRef): Promise<{ id: number; name: string }> {
  if (ref.name === undefined && ref.id === undefined) {
    const scoped = (await db.execute(sql`select k.id, k.name from campaigns k where ${keyCampaigns(caller)} order by k.id limit 2`)) as unknown as {
      id: number;
      name: string;
    }[];
    if (scoped.length === 1) return scoped[0]!;
    throw httpErrors.validation([
      {
        path: 'campaign',
        message: scoped.length ? 'campaign is required: this API key may send for several campaigns' : 'This API key may not send for any campaign',
      },
    ]);
  }
  const byName = ref.name !== undefined ? sql`k.name = ${ref.name}` : sql`true`;
  const byId = ref.id !== undefined ? sql`k.id = ${ref.id}` : sql`true`;
  const [found] = (await db.execute(sql`select k.id, k.name, ${keyCampaigns(caller)} as allowed from campaigns k where ${byName} and ${byId}`)) as unknown as {
    id: number;
    name: string;
    allowed: boolean;
  }[];
  const named = ref.name !== undefined ? `"${ref.name}"` : String(ref.id);
  if (!found) {
    const both = ref.name !== undefined && ref.id !== undefined;
    throw new HttpError(
      422,
      'unknown_campaign',
      both ? `campaign ${named} and campaignId ${ref.id} do not name the same campaign` : `There is no campaign ${named}`,
    );
  }
  if (!found.allowed) throw httpErrors.forbidden(`This API key may not send for campaign ${named}`);
  return { id: found.id, name: found.name };
}
