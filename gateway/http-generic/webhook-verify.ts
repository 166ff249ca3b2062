import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookRequest } from '../channel.ts';
import type { InboundSettings } from './http-generic-settings.ts';

/** Compares in constant time whatever the lengths: both sides are hashed to 32 bytes first. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

const SIGNATURE_FORMAT = { hex: /^[0-9a-f]{64}$/i, base64: /^[A-Za-z0-9+/]{43}=$/ } as const;

/**
 * True when the call carries the channel's shared secret (query parameter or header), or a valid
 * HMAC-SHA256 of the exact raw body. A channel whose secret is not set refuses every call.
 */
export function verifyWebhook(verification: InboundSettings['verification'], secrets: Record<string, string>, request: WebhookRequest): boolean {
  const secret = Object.hasOwn(secrets, verification.secret) ? secrets[verification.secret] : undefined;
  if (!secret) return false;
  if (verification.type === 'token') {
    const given = verification.in === 'query' ? request.query[verification.name] : request.headers[verification.name.toLowerCase()];
    return typeof given === 'string' && given.length > 0 && sameSecret(given, secret);
  }
  const header = request.headers[verification.header.toLowerCase()]?.trim();
  if (!header || !header.startsWith(verification.prefix)) return false;
  const signature = header.slice(verification.prefix.length);
  // Strict format first: Buffer.from(…, 'hex') silently stops at the first bad character.
  if (!SIGNATURE_FORMAT[verification.encoding].test(signature)) return false;
  const given = Buffer.from(signature, verification.encoding);
  const expected = createHmac('sha256', secret).update(request.rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
