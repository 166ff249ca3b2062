import { z } from 'zod';
import type { Tx } from '../../db/connection.ts';
import type { spool } from '../../db/schema/index.ts';
import { HttpError, httpErrors } from '../http-errors.ts';
import { charactersIn, isForbiddenCharacter, showCharacter } from '../../dialer/csv-forbidden-characters.ts';
import { spoolMessage } from '../../dialer/spool-message.ts';
import type { ApiCaller } from './api-key-auth.ts';
import { resolveKeyCampaign } from './api-key-scope.ts';
import { audit } from '../../kernel/audit.ts';

/** The longest message the web service takes: ten concatenated SMS parts, give or take the encoding. */
export const MAX_MESSAGE_LENGTH = 1600;

/** Names the field when it is missing or not text, instead of zod's generic "expected string". */
const text = (field: string) => z.string({ error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be text, given once`) });

/**
 * A phone number as people write it: digits with an optional leading +, spaces, dots, dashes and
 * brackets. Only the shape is checked here; a number that is well formed but not valid for its country
 * is spooled and counted OTHER by the dialer, like an imported one.
 */
export const destinationField = text('destination')
  .trim()
  .min(1, { error: 'destination is required', abort: true })
  .max(32, { error: 'destination is longer than 32 characters', abort: true })
  .regex(/^\+?[0-9][0-9 ().-]*$/, 'destination is not a phone number (digits, optionally a leading +)');

/**
 * Refuses the characters a spool upload refuses (csv-forbidden-characters.ts: typographic quotes,
 * spacing accents, `@`, control characters), since the same dialers and gateways send both; a message
 * may still hold line breaks, which an SMS carries and a CSV line simply cannot.
 */
const allowedCharacters = (field: string, lineBreaks: boolean) => (value: string, ctx: z.RefinementCtx) => {
  const found = charactersIn(value, (codePoint) => !(lineBreaks && (codePoint === 0x0a || codePoint === 0x0d)) && isForbiddenCharacter(codePoint));
  if (found.length) ctx.addIssue({ code: 'custom', message: `${field} has characters old gateways mangle, refused: ${found.map(showCharacter).join(' ')}` });
};

export const messageField = text('message')
  .refine((value) => value.trim() !== '', { error: 'message is empty', abort: true })
  .refine((value) => [...value].length <= MAX_MESSAGE_LENGTH, `message is longer than ${MAX_MESSAGE_LENGTH} characters`)
  .superRefine(allowedCharacters('message', true));

/**
 * A short free-text field (campaign, agent, api, device): blank counts as not given. Those stored in
 * the spool row (`stored`: agent, api, device) get the upload's character check; a campaign name only
 * names a campaign.
 */
export const optionalText = (field: string, max: number, stored = true) =>
  text(field)
    .trim()
    .max(max, `${field} is longer than ${max} characters`)
    .superRefine(stored ? allowedCharacters(field, false) : () => {})
    .optional()
    .transform((value) => (value === '' ? undefined : value));

export type ApiMessageInput = {
  destination: string;
  message: string;
  campaign?: string | undefined;
  campaignId?: number | undefined;
  /** The dialer the request names (modern API): it must be the key's. */
  dialerId?: number | undefined;
  /** The dial string for this message only (the legacy `device`, e.g. `dongle0`). */
  device?: string | undefined;
  /** The legacy `agent` (a username) and `api` (e.g. `dongle`): kept in the row's `data`, see below. */
  agent?: string | undefined;
  api?: string | undefined;
  via: 'sendsms' | 'v1';
};

export type SpoolRow = typeof spool.$inferSelect;

/**
 * Spools one web-service message through the key's dialer, for a campaign the key may use, and
 * audits it under the key (the spool row itself does not name the key). The legacy `agent` and `api`
 * go to the row's `data` as `agent=…&api=…`: `data` is the seed's "extra data" column, shown with the
 * row; `idm` stays free for a message id of the sender's own.
 */
export async function sendApiMessage(tx: Tx, caller: ApiCaller, input: ApiMessageInput): Promise<{ row: SpoolRow; campaign: { id: number; name: string } }> {
  if (caller.dialerId === null) throw new HttpError(409, 'no_dialer', 'This API key has no dialer to send through: an admin must choose one for it');
  if (input.dialerId !== undefined && input.dialerId !== caller.dialerId) {
    throw httpErrors.forbidden(`This API key sends through dialer ${caller.dialerId} only`);
  }
  const campaign = await resolveKeyCampaign(tx, caller, { name: input.campaign, id: input.campaignId });
  const extras = new URLSearchParams();
  if (input.agent) extras.set('agent', input.agent);
  if (input.api) extras.set('api', input.api);
  const row = await spoolMessage(tx, {
    dialerId: caller.dialerId,
    campaignId: campaign.id,
    destination: input.destination,
    message: input.message,
    device: input.device ?? null,
    data: extras.size ? extras.toString() : null,
  });
  await audit(tx, {
    by: { apiKeyId: caller.id },
    action: 'webservice.message_spooled',
    target: { type: 'spool', id: row.id },
    details: {
      via: input.via,
      campaignId: campaign.id,
      dialerId: caller.dialerId,
      ...(input.device ? { device: input.device } : {}),
      ...(input.agent ? { agent: input.agent } : {}),
      ...(input.api ? { api: input.api } : {}),
    },
  });
  return { row, campaign };
}
