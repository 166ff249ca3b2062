import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export class InvalidNumberError extends Error {
  override name = 'InvalidNumberError';
}

/** A phone number as E.164, read with the channel's default country; an impossible number is refused. */
export function toE164(input: string, defaultCountry: string): string {
  const parsed = parsePhoneNumberFromString(input.trim(), defaultCountry.toUpperCase() as CountryCode);
  if (!parsed || !parsed.isValid()) {
    throw new InvalidNumberError(`"${input}" is not a valid phone number (read with default country ${defaultCountry})`);
  }
  return parsed.number;
}
