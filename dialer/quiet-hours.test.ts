import { describe, expect, it } from 'vitest';
import { quietUntil } from './quiet-hours.ts';

describe('quiet hours', () => {
  it('lets a Uruguayan number through between 08:00 and 21:00 Montevideo time (UTC-3) only', () => {
    expect(quietUntil('UY', new Date('2026-11-24T11:00:00Z'))).toBeNull(); // 08:00 local
    expect(quietUntil('UY', new Date('2026-11-24T23:59:00Z'))).toBeNull(); // 20:59 local
    expect(quietUntil('UY', new Date('2026-11-25T00:00:00Z'))).toEqual(new Date('2026-11-25T11:00:00Z')); // 21:00 → next 08:00
    expect(quietUntil('UY', new Date('2026-11-24T10:59:00Z'))).toEqual(new Date('2026-11-24T11:00:00Z')); // 07:59
  });

  it('holds a country spanning several zones until it is daytime in all of them', () => {
    // 13:00 UTC is 08:00 in New York but 03:00 in Honolulu.
    const until = quietUntil('US', new Date('2026-11-24T13:00:00Z'));
    expect(until).not.toBeNull();
    expect(until!.getTime()).toBeGreaterThanOrEqual(new Date('2026-11-24T18:00:00Z').getTime()); // 08:00 in Honolulu
  });

  it('never holds a number whose country is unknown', () => {
    expect(quietUntil(undefined, new Date('2026-11-24T03:00:00Z'))).toBeNull();
  });
});
