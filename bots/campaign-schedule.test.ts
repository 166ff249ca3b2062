import { describe, expect, it } from 'vitest';
import { isOpenAt, localTime, type Schedule } from './campaign-schedule.ts';

const weekdaysNineToSix = (timeZone: string, exceptions: [string, { startMinute: number; endMinute: number }[]][] = []): Schedule => ({
  timeZone,
  weekly: Array.from({ length: 7 }, (_, day) => (day >= 1 && day <= 5 ? [{ startMinute: 9 * 60, endMinute: 18 * 60 }] : [])),
  exceptions: new Map(exceptions),
});

describe('campaign schedule', () => {
  it('reads the wall clock in the schedule time zone', () => {
    // 2026-11-24 is a Tuesday. 12:30 UTC is 09:30 in Montevideo (UTC-3).
    expect(localTime(new Date('2026-11-24T12:30:00Z'), 'America/Montevideo')).toEqual({ date: '2026-11-24', weekday: 2, minute: 570 });
    // 02:00 UTC on Wednesday is still Tuesday 23:00 in Montevideo.
    expect(localTime(new Date('2026-11-25T02:00:00Z'), 'America/Montevideo')).toMatchObject({ date: '2026-11-24', weekday: 2 });
  });

  it.each([
    ['2026-11-24T12:30:00Z', true], // Tue 09:30 local
    ['2026-11-24T11:59:00Z', false], // Tue 08:59 local
    ['2026-11-24T20:59:00Z', true], // Tue 17:59 local
    ['2026-11-24T21:00:00Z', false], // Tue 18:00 local: the end is exclusive
    ['2026-11-28T15:00:00Z', false], // Saturday
  ])('weekdays 09-18 in Montevideo at %s: open=%s', (at, open) => {
    expect(isOpenAt(weekdaysNineToSix('America/Montevideo'), new Date(at))).toBe(open);
  });

  it('a dated exception replaces the weekly hours: a holiday closes, a short day opens less', () => {
    const schedule = weekdaysNineToSix('UTC', [
      ['2026-12-25', []],
      ['2026-12-24', [{ startMinute: 9 * 60, endMinute: 12 * 60 }]],
    ]);
    expect(isOpenAt(schedule, new Date('2026-12-25T10:00:00Z'))).toBe(false);
    expect(isOpenAt(schedule, new Date('2026-12-24T11:00:00Z'))).toBe(true);
    expect(isOpenAt(schedule, new Date('2026-12-24T13:00:00Z'))).toBe(false);
    expect(isOpenAt(schedule, new Date('2026-12-23T13:00:00Z'))).toBe(true);
  });
});
