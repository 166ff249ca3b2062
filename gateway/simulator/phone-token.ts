import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A simulator phone's credential: the number it may write as, bound to the channel by an HMAC with
 * the channel's signing key. It plays the part of a provider's webhook signature.
 */
export function signPhoneToken(signingKey: string, channelId: number, number: string): string {
  return `${channelId}.${Buffer.from(number).toString('base64url')}.${mac(signingKey, channelId, number)}`;
}

/** The number a valid token stands for, or null. */
export function readPhoneToken(signingKey: string, channelId: number, token: string | undefined): string | null {
  if (!token) return null;
  const [channel, encoded, signature] = token.split('.');
  if (channel !== String(channelId) || !encoded || !signature) return null;
  const number = Buffer.from(encoded, 'base64url').toString();
  const expected = Buffer.from(mac(signingKey, channelId, number));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? number : null;
}

function mac(signingKey: string, channelId: number, number: string): string {
  return createHmac('sha256', signingKey).update(`${channelId}:${number}`).digest('base64url');
}

/** The channel a token claims to belong to (unverified: check it with `readPhoneToken`). */
export function tokenChannelId(token: unknown): number | null {
  if (typeof token !== 'string') return null;
  const id = Number(token.split('.')[0]);
  return Number.isInteger(id) && id > 0 ? id : null;
}
