import { and, asc, eq } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';
import { campaignChannels, campaigns } from '../db/schema/index.ts';

/**
 * The campaign a new conversation belongs to: among the enabled campaigns of the channel, the one
 * whose DID-Ports list the address the customer wrote to, else the first one.
 */
export async function resolveCampaign(db: Executor, channelId: number, to: string | null) {
  const candidates = await db
    .select({ campaign: campaigns })
    .from(campaignChannels)
    .innerJoin(campaigns, eq(campaigns.id, campaignChannels.campaignId))
    .where(and(eq(campaignChannels.channelId, channelId), eq(campaigns.enabled, true)))
    .orderBy(asc(campaigns.id));
  const byDid = to ? candidates.find(({ campaign }) => campaign.didPorts.includes(to)) : undefined;
  return (byDid ?? candidates[0])?.campaign ?? null;
}
