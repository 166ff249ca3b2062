import type { ChannelInput, ChannelType, ChannelView } from '../../../../../../contract/channels.ts';
import type { FieldIssue } from '../../../../../../contract/common.ts';
import { CHANNEL_SECRETS, formatSettings, GENERATED_SECRETS, SETTINGS_EXAMPLES } from './channel-types.ts';

/** What the channel form holds while an admin types: text, turned into the API's shape on save. */
export type ChannelDraft = {
  name: string;
  address: string;
  defaultCountry: string;
  enabled: boolean;
  /** Empty: the type's default pace. */
  sendsPerSecond: string;
  settingsText: string;
  /** Only what was typed: an empty field keeps the stored secret. */
  secrets: Record<string, string>;
  /** Secret names added by hand (types whose templates name their own secrets). */
  addedSecretNames: string[];
};

export function draftForNewChannel(type: ChannelType): ChannelDraft {
  return {
    name: '',
    address: '',
    defaultCountry: 'UY',
    enabled: true,
    sendsPerSecond: '',
    settingsText: formatSettings(SETTINGS_EXAMPLES[type]),
    secrets: {},
    addedSecretNames: [],
  };
}

export function draftFromChannel(channel: ChannelView): ChannelDraft {
  return {
    name: channel.name,
    address: channel.address ?? '',
    defaultCountry: channel.defaultCountry,
    enabled: channel.enabled,
    sendsPerSecond: channel.sendsPerSecond === null ? '' : String(channel.sendsPerSecond),
    settingsText: formatSettings(channel.settings),
    secrets: {},
    addedSecretNames: [],
  };
}

/** The secret fields to show: the type's own, those already set, and those added by hand; never generated ones. */
export function secretNames(type: ChannelType, secretsSet: readonly string[], added: readonly string[]): string[] {
  const generated = new Set(GENERATED_SECRETS[type] ?? []);
  const names = [...CHANNEL_SECRETS[type].map((spec) => spec.name), ...secretsSet, ...added];
  return [...new Set(names)].filter((name) => !generated.has(name));
}

export type ChannelFields = Required<Omit<ChannelInput, 'type'>>;

/**
 * The draft as the API takes it, or the fields the browser can already tell are wrong (settings that
 * are not JSON, a pace that is not a number). The server checks the rest, naming each path.
 */
export function draftToInput(draft: ChannelDraft): { input: ChannelFields; issues: [] } | { input: null; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  let settings: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(draft.settingsText.trim() === '' ? '{}' : draft.settingsText);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) settings = parsed as Record<string, unknown>;
    else issues.push({ path: 'settings', message: 'must be a JSON object, such as { "key": "value" }' });
  } catch (error) {
    issues.push({ path: 'settings', message: `is not valid JSON: ${(error as Error).message}` });
  }
  const pace = draft.sendsPerSecond.trim();
  const sendsPerSecond = pace === '' ? null : Number(pace);
  if (sendsPerSecond !== null && !(sendsPerSecond > 0)) {
    issues.push({ path: 'sendsPerSecond', message: 'must be a number above 0, or empty for the type’s default' });
  }
  if (issues.length) return { input: null, issues };
  const secrets = Object.fromEntries(Object.entries(draft.secrets).filter(([, value]) => value !== ''));
  return {
    input: {
      name: draft.name.trim(),
      address: draft.address.trim() === '' ? null : draft.address.trim(),
      defaultCountry: draft.defaultCountry.trim().toUpperCase(),
      enabled: draft.enabled,
      sendsPerSecond,
      settings,
      secrets,
    },
    issues: [],
  };
}

/** The issues of one field (`settings` covers `settings.send.url`…). */
export function issuesOf(issues: readonly FieldIssue[], field: string): FieldIssue[] {
  return issues.filter((issue) => issue.path === field || issue.path.startsWith(`${field}.`));
}
