import { describe, expect, it } from 'vitest';
import { DECOY_HASH, hashPassword, verifyPassword } from './password-hash.ts';

describe('password hashing', () => {
  it('verifies the right password only, with a fresh salt each time', async () => {
    const first = await hashPassword('s3cret pässword');
    const second = await hashPassword('s3cret pässword');
    expect(first).not.toBe(second);
    expect(first).not.toContain('s3cret');
    expect(await verifyPassword('s3cret pässword', first)).toBe(true);
    expect(await verifyPassword('s3cret password', first)).toBe(false);
    expect(await verifyPassword('anything', DECOY_HASH)).toBe(false);
    expect(await verifyPassword('anything', 'plain-text')).toBe(false);
  });
});
