import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { normalizeProviderAddress } from '../phone-number.ts';
import type { SmppSettings } from './smpp-settings.ts';

/** type_of_number values (SMPP 3.4 §5.2.5) this adapter reasons about. */
export const TON = { unknown: 0, international: 1, national: 2, alphanumeric: 5 } as const;

export type SmppAddress = { addr: string; ton: number; npi: number };

/**
 * Our sender as submit_sm wants it: an alphanumeric sender id is TON 5 / NPI 0, a number with '+'
 * or more than 8 digits is international (TON 1 / NPI 1, digits only), a short code TON 0 / NPI 1.
 * The channel's own sourceTon/sourceNpi override the guess (SMSCs differ on short codes).
 */
export function sourceAddress(settings: SmppSettings, channelAddress: string | null): SmppAddress {
  const raw = (settings.sourceAddress ?? channelAddress ?? '').trim();
  let guess: SmppAddress;
  if (/[^\d+]/.test(raw)) guess = { addr: raw, ton: TON.alphanumeric, npi: 0 };
  else if (raw.startsWith('+') || raw.length > 8) guess = { addr: raw.replace(/^\+/, ''), ton: TON.international, npi: 1 };
  else guess = { addr: raw, ton: TON.unknown, npi: 1 };
  return { addr: guess.addr, ton: settings.sourceTon ?? guess.ton, npi: settings.sourceNpi ?? guess.npi };
}

/** A customer's E.164 number as submit_sm's destination: international digits without '+'. */
export function destinationAddress(settings: SmppSettings, e164: string): SmppAddress {
  return { addr: e164.replace(/^\+/, ''), ton: settings.destTon, npi: settings.destNpi };
}

/**
 * An address an SMSC reports: international digits get their '+', national ones are read with the
 * channel's country, an alphanumeric sender stays as it is. With TON unknown, digits that form a
 * valid international number are taken as one (most SMSCs send them so), else read as national.
 */
export function reportedAddress(addr: string, ton: number, defaultCountry: string): string {
  const trimmed = addr.trim();
  if (ton === TON.alphanumeric || /[a-z]/i.test(trimmed)) return trimmed;
  const digits = trimmed.replace(/\D/g, '');
  if (!digits) return trimmed;
  if (ton === TON.international || trimmed.startsWith('+')) return `+${digits}`;
  if (ton === TON.unknown && digits.length > 8 && parsePhoneNumberFromString(`+${digits}`)?.isValid()) return `+${digits}`;
  return normalizeProviderAddress(digits, defaultCountry);
}
