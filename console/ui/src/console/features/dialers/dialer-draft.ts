import type { ChannelType } from '../../../../../../contract/channels.ts';
import type { FieldIssue } from '../../../../../../contract/common.ts';
import type { DialerInput, DialerView } from '../../../../../../contract/dialer.ts';

/**
 * A new dialer starts from the database's defaults (db/schema/dialer.ts), copied here because the
 * console does not bundle the schema; test/e2e/dialers.e2e.test.ts checks they agree.
 */
export const NEW_DIALER_DEFAULTS: Omit<DialerInput, 'name' | 'channelId'> = {
  scheduleId: null,
  dialString: null,
  timeBetweenMessagesMs: 1000,
  batchSize: 50,
  enabled: false,
  dncrCheck: true,
  quietHours: false,
  template: null,
  securityGroupId: null,
};

/** Channel types that broadcast over a WhatsApp Web session: the number risks a ban. */
export const WHATSAPP_WEB_TYPES: readonly ChannelType[] = ['baileys', 'wwebjs'];

export const WHATSAPP_WEB_WARNING =
  'WhatsApp Web is not meant for bulk sending: WhatsApp may ban the number. Keep at least 3000 ms between messages, ' +
  'send only to people who expect you, or use the WhatsApp Cloud API with an approved template instead.';

/** What the dial string means for a channel type (the seed: Dinstar takes a port range, Twilio none). */
export function dialStringHint(type: ChannelType | null): { placeholder: string; hint: string } {
  switch (type) {
    case 'dinstar':
      return { placeholder: 'e.g. 0-3', hint: 'The gateway ports to rotate: 0-3 sends on ports 0, 1, 2, 3, 0… in turn (also one port, 2, or a list, 0,2,5).' };
    case 'gsm_modem':
      return { placeholder: 'e.g. dongle0', hint: 'The modem to send through.' };
    case null:
      return { placeholder: '', hint: 'Pick the SMS provider first.' };
    default:
      return { placeholder: 'Not needed', hint: 'This provider needs no dial string: leave it empty.' };
  }
}

/** What the form holds while someone types: numbers as text, the template as two boxes. */
export type DialerDraft = {
  name: string;
  channelId: number | null;
  scheduleId: number | null;
  dialString: string;
  timeBetweenMessagesMs: string;
  batchSize: string;
  enabled: boolean;
  dncrCheck: boolean;
  quietHours: boolean;
  templateName: string;
  templateLanguage: string;
  securityGroupId: number | null;
};

function draftOf(input: Omit<DialerInput, 'channelId'> & { channelId: number | null }): DialerDraft {
  return {
    name: input.name,
    channelId: input.channelId,
    scheduleId: input.scheduleId,
    dialString: input.dialString ?? '',
    timeBetweenMessagesMs: String(input.timeBetweenMessagesMs),
    batchSize: String(input.batchSize),
    enabled: input.enabled,
    dncrCheck: input.dncrCheck,
    quietHours: input.quietHours,
    templateName: input.template?.name ?? '',
    templateLanguage: input.template?.language ?? '',
    securityGroupId: input.securityGroupId,
  };
}

export function draftForNewDialer(): DialerDraft {
  return draftOf({ name: '', channelId: null, ...NEW_DIALER_DEFAULTS });
}

/** The fields of a dialer as the API takes them back (the view adds names, state and warnings). */
export function inputOfDialer(dialer: DialerView): DialerInput {
  const { name, channelId, scheduleId, dialString, timeBetweenMessagesMs, batchSize, enabled, dncrCheck, quietHours, template, securityGroupId } = dialer;
  return { name, channelId, scheduleId, dialString, timeBetweenMessagesMs, batchSize, enabled, dncrCheck, quietHours, template, securityGroupId };
}

export function draftFromDialer(dialer: DialerView): DialerDraft {
  return draftOf(inputOfDialer(dialer));
}

/**
 * The draft as the API takes it, or what the browser can already tell is wrong (no provider, a number
 * that is not whole, half a template). The server checks the rest and names each path. The template
 * goes only with a Cloud API channel, where it is required.
 */
export function draftToInput(draft: DialerDraft, channelType: ChannelType | null): { input: DialerInput; issues: [] } | { input: null; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const whole = (path: string, text: string): number => {
    const value = Number(text.trim());
    if (text.trim() === '' || !Number.isInteger(value)) issues.push({ path, message: 'must be a whole number' });
    return value;
  };
  const timeBetweenMessagesMs = whole('timeBetweenMessagesMs', draft.timeBetweenMessagesMs);
  const batchSize = whole('batchSize', draft.batchSize);
  if (draft.channelId === null) issues.push({ path: 'channelId', message: 'pick the SMS provider the dialer sends through' });
  const templateName = draft.templateName.trim();
  const templateLanguage = draft.templateLanguage.trim();
  const usesTemplate = channelType === 'whatsapp_cloud';
  if (usesTemplate && templateName !== '' && templateLanguage === '')
    issues.push({ path: 'template.language', message: 'the template’s language code, e.g. es or en_US' });
  if (usesTemplate && templateName === '' && templateLanguage !== '') issues.push({ path: 'template.name', message: 'the approved template’s name' });
  if (issues.length || draft.channelId === null) return { input: null, issues };
  return {
    input: {
      name: draft.name.trim(),
      channelId: draft.channelId,
      scheduleId: draft.scheduleId,
      dialString: draft.dialString.trim() === '' ? null : draft.dialString.trim(),
      timeBetweenMessagesMs,
      batchSize,
      enabled: draft.enabled,
      dncrCheck: draft.dncrCheck,
      quietHours: draft.quietHours,
      template: usesTemplate && templateName !== '' ? { name: templateName, language: templateLanguage } : null,
      securityGroupId: draft.securityGroupId,
    },
    issues: [],
  };
}

/** Only the fields whose value differs from the dialer's, for a PATCH. */
export function changedDialerFields(input: DialerInput, dialer: DialerView): Partial<DialerInput> {
  const current = inputOfDialer(dialer);
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(input) as (keyof DialerInput)[]) {
    if (JSON.stringify(input[key]) !== JSON.stringify(current[key])) patch[key] = input[key];
  }
  return patch as Partial<DialerInput>;
}

/** The form's top-level fields: the server's issues on other paths go in the banner. */
export const DIALER_FIELDS: readonly string[] = ['name', 'channelId', ...Object.keys(NEW_DIALER_DEFAULTS)];
