import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { DomainError } from '../kernel/errors.ts';

export class InvalidNumberError extends DomainError {
  override name = 'InvalidNumberError';
  constructor(message: string) {
    super('invalid', 'bad_request', message);
  }
}

/** A phone number as E.164, read with the channel's default country; an impossible number is refused. */
export function toE164(input: string, defaultCountry: string): string {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultCountry.toUpperCase() as CountryCode);
  if (!parsed || !parsed.isValid()) {
    throw new InvalidNumberError(`"${input}" is not a valid phone number (read with default country ${defaultCountry})`);
  }
  return parsed.number;
}

/**
 * An address a verified provider reports (a customer's wa_id, a Twilio From, our own number): E.164
 * when it parses, else `+digits`. Never refused: a provider's message must not be lost because our
 * phone metadata is stricter or older than the network's.
 */
export function normalizeProviderAddress(input: string, defaultCountry: string): string {
  const trimmed = input.trim();
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry.toUpperCase() as CountryCode);
  if (parsed) return parsed.number;
  const digits = trimmed.replace(/[^\d]/g, '');
  if (!digits) throw new InvalidNumberError(`"${input}" is not a phone number`);
  return `+${digits}`;
}
