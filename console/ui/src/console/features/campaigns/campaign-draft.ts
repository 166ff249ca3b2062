import {
  ACD_FULL_ACTIONS,
  CAMPAIGN_DEFAULTS,
  OPT_OUT_SCOPES,
  type CampaignInput,
  type CampaignStrategy,
  type CampaignView,
} from '../../../../../../contract/campaigns.ts';
import type { FieldIssue } from '../../../../../../contract/common.ts';

/** Each strategy (in the order the form lists them) with the one line that tells them apart. */
const STRATEGY_TEXT = {
  fewest_active: { label: 'Fewest active', explanation: 'The available member with the fewest open conversations; ties go to the longest idle.' },
  round_robin: { label: 'Round robin', explanation: 'Members take turns in member order, starting after the one who got the last conversation.' },
  longest_idle: { label: 'Longest idle', explanation: 'The available member who has waited longest since their last conversation.' },
  linear: { label: 'Linear', explanation: 'Always the first member in member order who has room (set the order on the Members page).' },
  random: { label: 'Random', explanation: 'Any available member with room, picked at random.' },
  offer_all: { label: 'Offer to all', explanation: 'Offered to every available member at once; the first to accept takes it.' },
} satisfies Record<CampaignStrategy, { label: string; explanation: string }>;

/** The strategies in the order the form lists them, each with the one line that tells them apart. */
export const STRATEGIES: { value: CampaignStrategy; label: string; explanation: string }[] = (Object.keys(STRATEGY_TEXT) as CampaignStrategy[]).map(
  (value) => ({ value, ...STRATEGY_TEXT[value] }),
);

const ACD_FULL_LABELS: Record<CampaignInput['acdFullAction'], string> = {
  close: 'Close with the queue-full message',
  stay_with_bot: 'Keep the customer with the bot',
};

/** What the campaign does when the ACD is full, in the contract's order, as the form words it. */
export const ACD_FULL_OPTIONS = ACD_FULL_ACTIONS.map((value) => ({ value, label: ACD_FULL_LABELS[value] }));

const OPT_OUT_SCOPE_LABELS: Record<CampaignInput['optOutScope'], string> = {
  campaign: 'This campaign only',
  global: 'Every campaign',
};

/** Where an opt-out applies, in the contract's order, as the form words it. */
export const OPT_OUT_SCOPE_OPTIONS = OPT_OUT_SCOPES.map((value) => ({ value, label: OPT_OUT_SCOPE_LABELS[value] }));

export function strategyLabel(strategy: CampaignStrategy): string {
  return STRATEGIES.find((s) => s.value === strategy)?.label ?? strategy;
}

/**
 * What the form holds while someone types: numbers and keyword lists as text, turned into
 * CampaignInput on save. Lists keep their rows in order, so a server path (`cannedResponses.2.shortcut`,
 * `didPorts.0`) names the row the form shows at that index.
 */
export type CampaignDraft = {
  name: string;
  didPorts: string[];
  channelIds: number[];
  strategy: CampaignStrategy;
  scheduleId: number | null;
  greetingMessage: string;
  outOfTimeMessage: string;
  queueFullMessage: string;
  serviceLevelSeconds: string;
  churnSeconds: string;
  chatTimeSeconds: string;
  acdMaxWaiting: string;
  acdFullAction: CampaignInput['acdFullAction'];
  maxInteractionsPerAgent: string;
  /** Empty: no limit. */
  agentAnswerTimeoutSeconds: string;
  stickyAgent: boolean;
  enabled: boolean;
  securityGroupId: number | null;
  botFlowId: number | null;
  cannedResponses: { shortcut: string; body: string }[];
  /** Comma lists. */
  optOutKeywords: string;
  optInKeywords: string;
  helpKeywords: string;
  optOutScope: CampaignInput['optOutScope'];
  optOutMessage: string;
  optInMessage: string;
  helpMessage: string;
};

/**
 * A new campaign starts from the database's defaults, which contract/campaigns.ts keeps (db/schema reads
 * its column defaults from there); the lists are copied so the form never shares them.
 */
export const NEW_CAMPAIGN_DEFAULTS: Omit<CampaignInput, 'name'> = {
  ...CAMPAIGN_DEFAULTS,
  didPorts: [...CAMPAIGN_DEFAULTS.didPorts],
  channelIds: [...CAMPAIGN_DEFAULTS.channelIds],
  cannedResponses: [...CAMPAIGN_DEFAULTS.cannedResponses],
  optOutKeywords: [...CAMPAIGN_DEFAULTS.optOutKeywords],
  optInKeywords: [...CAMPAIGN_DEFAULTS.optInKeywords],
  helpKeywords: [...CAMPAIGN_DEFAULTS.helpKeywords],
};

function draftOf(input: CampaignInput): CampaignDraft {
  const text = (value: number | null) => (value === null ? '' : String(value));
  return {
    ...input,
    didPorts: [...input.didPorts],
    channelIds: [...input.channelIds],
    greetingMessage: input.greetingMessage ?? '',
    outOfTimeMessage: input.outOfTimeMessage ?? '',
    queueFullMessage: input.queueFullMessage ?? '',
    serviceLevelSeconds: text(input.serviceLevelSeconds),
    churnSeconds: text(input.churnSeconds),
    chatTimeSeconds: text(input.chatTimeSeconds),
    acdMaxWaiting: text(input.acdMaxWaiting),
    maxInteractionsPerAgent: text(input.maxInteractionsPerAgent),
    agentAnswerTimeoutSeconds: text(input.agentAnswerTimeoutSeconds),
    cannedResponses: input.cannedResponses.map((response) => ({ ...response })),
    optOutKeywords: input.optOutKeywords.join(', '),
    optInKeywords: input.optInKeywords.join(', '),
    helpKeywords: input.helpKeywords.join(', '),
  };
}

export function draftForNewCampaign(): CampaignDraft {
  return draftOf({ name: '', ...NEW_CAMPAIGN_DEFAULTS });
}

/** The fields of a campaign as the API takes them back (the view adds names, counts and dates). */
export function inputOfCampaign(campaign: CampaignView): CampaignInput {
  const { id: _id, channels: _c, schedule: _s, botFlow: _b, securityGroup: _g, memberCount: _m, createdAt: _ca, updatedAt: _ua, ...input } = campaign;
  return input;
}

export function draftFromCampaign(campaign: CampaignView): CampaignDraft {
  return draftOf(inputOfCampaign(campaign));
}

/** A comma list as the keywords it holds (blanks dropped, so `STOP, , BAJA` is two). */
export function splitKeywords(text: string): string[] {
  return text
    .split(',')
    .map((word) => word.trim())
    .filter((word) => word !== '');
}

const NUMBER_FIELDS = ['serviceLevelSeconds', 'churnSeconds', 'chatTimeSeconds', 'acdMaxWaiting', 'maxInteractionsPerAgent'] as const;

/**
 * The draft as the API takes it, or the fields the browser can already tell are wrong (a number that
 * is not a whole number). The server checks the rest and names each path.
 */
export function draftToInput(draft: CampaignDraft): { input: CampaignInput; issues: [] } | { input: null; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const whole = (field: string, text: string): number => {
    const value = Number(text.trim());
    if (text.trim() === '' || !Number.isInteger(value)) issues.push({ path: field, message: 'must be a whole number' });
    return value;
  };
  const numbers = Object.fromEntries(NUMBER_FIELDS.map((field) => [field, whole(field, draft[field])])) as Record<(typeof NUMBER_FIELDS)[number], number>;
  const timeout = draft.agentAnswerTimeoutSeconds.trim() === '' ? null : whole('agentAnswerTimeoutSeconds', draft.agentAnswerTimeoutSeconds);
  if (issues.length) return { input: null, issues };
  const optional = (text: string) => (text.trim() === '' ? null : text.trim());
  return {
    input: {
      ...draft,
      ...numbers,
      name: draft.name.trim(),
      agentAnswerTimeoutSeconds: timeout,
      greetingMessage: optional(draft.greetingMessage),
      outOfTimeMessage: optional(draft.outOfTimeMessage),
      queueFullMessage: optional(draft.queueFullMessage),
      cannedResponses: draft.cannedResponses.map((response) => ({ shortcut: response.shortcut.trim(), body: response.body.trim() })),
      optOutKeywords: splitKeywords(draft.optOutKeywords),
      optInKeywords: splitKeywords(draft.optInKeywords),
      helpKeywords: splitKeywords(draft.helpKeywords),
    },
    issues: [],
  };
}

/** Only the fields whose value differs from the campaign's (channel order does not count), for a PATCH. */
export function changedFields(input: CampaignInput, campaign: CampaignView): Partial<CampaignInput> {
  const current = inputOfCampaign(campaign);
  const comparable = (key: keyof CampaignInput, value: unknown) => (key === 'channelIds' ? [...(value as number[])].sort((a, b) => a - b) : value);
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(input) as (keyof CampaignInput)[]) {
    if (JSON.stringify(comparable(key, input[key])) !== JSON.stringify(comparable(key, current[key]))) patch[key] = input[key];
  }
  return patch as Partial<CampaignInput>;
}

/** The form's top-level fields: the server's issues on other paths (or on none) go in the banner. */
export const CAMPAIGN_FIELDS: readonly string[] = ['name', ...Object.keys(NEW_CAMPAIGN_DEFAULTS)];
