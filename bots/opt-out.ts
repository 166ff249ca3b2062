import { and, eq, isNull } from 'drizzle-orm';
import { dncr, OPT_OUT_DEFAULTS, type campaigns } from '../db/schema/index.ts';
import { closeConversation } from '../routing/close-conversation.ts';
import type { ConversationRow } from '../conversations/open-conversation.ts';
import { queueOutboundMessage } from '../conversations/queue-outbound-message.ts';
import type { UnitOfWork } from '../kernel/unit-of-work.ts';
import { normalizeText } from './understand.ts';
import { audit } from '../kernel/audit.ts';

type Campaign = typeof campaigns.$inferSelect;

export type KeywordKind = 'opt_out' | 'opt_in' | 'help';

/** The keywords and answers that apply: the campaign's, or the defaults (global) without a campaign. */
function keywordSettings(campaign: Campaign | null) {
  return campaign ? { ...campaign, scopeCampaignId: campaign.optOutScope === 'campaign' ? campaign.id : null } : { ...OPT_OUT_DEFAULTS, scopeCampaignId: null };
}

/** Which keyword a whole message is (case, accents and punctuation ignored), if any. */
export function keywordOf(text: string, campaign: Campaign | null): KeywordKind | null {
  const said = normalizeText(text);
  if (!said) return null;
  const settings = keywordSettings(campaign);
  const is = (keywords: readonly string[]) => keywords.some((keyword) => normalizeText(keyword) === said);
  return is(settings.optOutKeywords) ? 'opt_out' : is(settings.optInKeywords) ? 'opt_in' : is(settings.helpKeywords) ? 'help' : null;
}

/**
 * STOP, START and HELP, in any state of the conversation. STOP puts the number on the DNCR (this
 * campaign's or global, per the campaign) and confirms the first time only; a conversation still with
 * the bot or waiting closes as `opted_out` (one an agent holds stays theirs). START takes the number
 * off again (only an opt-out: what an admin put on the list stays) and confirms; a START from a number
 * that was not opted out is an ordinary message. HELP answers with the help text. Returns whether
 * the message was a keyword the bot must not answer again.
 */
export async function handleKeyword(
  uow: UnitOfWork,
  conversation: ConversationRow,
  campaign: Campaign | null,
  address: string,
  text: string,
): Promise<boolean> {
  const kind = keywordOf(text, campaign);
  if (!kind) return false;
  const settings = keywordSettings(campaign);
  const reply = (body: string) => queueOutboundMessage(uow, { conversation, authorType: 'bot', botNode: kind, body });
  const scope = settings.scopeCampaignId === null ? isNull(dncr.campaignId) : eq(dncr.campaignId, settings.scopeCampaignId);
  if (kind === 'help') {
    await reply(settings.helpMessage);
    return true;
  }
  if (kind === 'opt_in') {
    const removed = await uow.tx
      .delete(dncr)
      .where(and(eq(dncr.number, address), eq(dncr.source, 'opt_out'), scope))
      .returning({ id: dncr.id });
    if (!removed.length) return false;
    await audit(uow.tx, {
      by: null,
      action: 'dncr.opted_in',
      target: { type: 'dncr', id: address },
      details: { campaignId: settings.scopeCampaignId, source: 'keyword' },
    });
    await reply(settings.optInMessage);
    return true;
  }
  const added = await uow.tx
    .insert(dncr)
    .values({ number: address, campaignId: settings.scopeCampaignId, source: 'opt_out' })
    .onConflictDoNothing()
    .returning({ id: dncr.id });
  if (added.length) {
    await audit(uow.tx, {
      by: null,
      action: 'dncr.opted_out',
      target: { type: 'dncr', id: address },
      details: { campaignId: settings.scopeCampaignId, source: 'keyword' },
    });
    await reply(settings.optOutMessage);
  }
  if (conversation.status === 'bot' || conversation.status === 'queued') await closeConversation(uow, conversation, { reason: 'opted_out' });
  return true;
}
