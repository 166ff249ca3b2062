import { signal } from '@preact/signals';
import type { CampaignView } from '../../../../../../contract/campaigns.ts';
import { api, errorMessage } from '../../../api-client.ts';
import { me } from '../../shared/session-state.ts';
import { onReset } from '../../shared/reset.ts';

/** One of a campaign's pre-set responses (the seed's "predesigned responses"). */
export type CannedResponse = CampaignView['cannedResponses'][number];

/** What the console knows of one campaign's responses. */
export type CannedEntry = { status: 'loading' } | { status: 'loaded'; campaignName: string; responses: CannedResponse[] } | { status: 'failed'; error: string };

/**
 * Each campaign's responses, read once per sign-in: `userId` names whose they are, since agents see
 * only the campaigns they are members of, and a cache left by the previous user must not be shown.
 */
const cache = signal<{ userId: number | null; byCampaign: Readonly<Record<number, CannedEntry>> }>({ userId: null, byCampaign: {} });

/** The signed-in user's entry for a campaign, or undefined before it was asked for. */
export function cannedEntry(campaignId: number): CannedEntry | undefined {
  const current = cache.value;
  return current.userId === (me.value?.id ?? null) ? current.byCampaign[campaignId] : undefined;
}

function store(campaignId: number, entry: CannedEntry): void {
  const userId = me.value?.id ?? null;
  const current = cache.value;
  const byCampaign = current.userId === userId ? current.byCampaign : {};
  cache.value = { userId, byCampaign: { ...byCampaign, [campaignId]: entry } };
}

/** Reads a campaign's responses unless they are cached or on their way; a failed read is tried again. */
export async function ensureCannedResponses(campaignId: number): Promise<void> {
  const known = cannedEntry(campaignId);
  if (known && known.status !== 'failed') return;
  const userId = me.value?.id ?? null;
  store(campaignId, { status: 'loading' });
  let entry: CannedEntry;
  try {
    const campaign = await api.get<CampaignView>(`/api/campaigns/${campaignId}`);
    entry = { status: 'loaded', campaignName: campaign.name, responses: campaign.cannedResponses };
  } catch (error) {
    entry = { status: 'failed', error: errorMessage(error) };
  }
  // Signed out (or in as someone else) while it loaded: the answer is not theirs.
  if ((me.value?.id ?? null) === userId) store(campaignId, entry);
}

/** Forgets every campaign's responses (on logout; a new user's reads also start afresh without it). */
function resetCannedResponses(): void {
  cache.value = { userId: null, byCampaign: {} };
}
onReset(resetCannedResponses);

/** Who the placeholders of a response stand for. */
export type PlaceholderValues = { agent: string; customer: string };

/** Fills `{{agent}}` and `{{customer}}`; any other `{{name}}` stays as written, so a typo is seen before sending. */
export function fillPlaceholders(body: string, values: PlaceholderValues): string {
  return body.replace(/\{\{\s*([a-z_]+)\s*\}\}/gi, (written, name: string) => {
    const key = name.toLowerCase();
    return key === 'agent' || key === 'customer' ? values[key] : written;
  });
}

/**
 * The responses matching what was typed, best first: the exact shortcut, shortcuts starting with it,
 * then shortcuts or bodies containing it (case-insensitive). `inBodies` false looks at shortcuts only.
 */
export function matchResponses(responses: readonly CannedResponse[], typed: string, inBodies = true): CannedResponse[] {
  const query = typed.trim().toLowerCase();
  if (query === '') return [...responses];
  const rank = (response: CannedResponse): number => {
    const shortcut = response.shortcut.toLowerCase();
    if (shortcut === query) return 0;
    if (shortcut.startsWith(query)) return 1;
    if (shortcut.includes(query)) return 2;
    if (inBodies && response.body.toLowerCase().includes(query)) return 3;
    return -1;
  };
  return responses
    .map((response, index) => ({ response, index, rank: rank(response) }))
    .filter((item) => item.rank >= 0)
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((item) => item.response);
}

/**
 * The shortcut being typed: the box starts with `/` and the caret is still inside that first word
 * (`/by|` gives "by"); null otherwise. `end` is where the typed shortcut stops, to replace it whole.
 */
export function typedShortcut(text: string, caret: number): { query: string; end: number } | null {
  const word = /^\/([a-z0-9_-]*)/i.exec(text);
  if (!word || caret < 1 || caret > word[0].length) return null;
  return { query: word[1]!, end: word[0].length };
}
