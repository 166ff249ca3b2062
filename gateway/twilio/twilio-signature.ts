import { createHmac } from 'node:crypto';

/**
 * `X-Twilio-Signature` as Twilio computes it: base64 HMAC-SHA1 of the URL followed by every POST
 * parameter (sorted by name, name then value). Used by tests to act as Twilio.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}
