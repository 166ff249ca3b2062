import { getCountry } from 'countries-and-timezones';
import { localTime } from '../bots/campaign-schedule.ts';

/** The hours a broadcast may reach a recipient, local time: 08:00 to 21:00. */
export const QUIET_HOURS = { fromMinute: 8 * 60, untilMinute: 21 * 60 } as const;

const STEP_MS = 15 * 60_000;
/** Per country and quarter hour: the answer is the same for every number of the country in it. */
const cache = new Map<string, Date | null>();

/** The time zones a country's numbers may be in (all of them: a US number may be in Hawaii or Maine). */
function zonesOf(country: string): string[] {
  return getCountry(country)?.timezones ?? [];
}

function allowedAt(zones: readonly string[], at: Date): boolean {
  return zones.every((zone) => {
    const { minute } = localTime(at, zone);
    return minute >= QUIET_HOURS.fromMinute && minute < QUIET_HOURS.untilMinute;
  });
}

/**
 * Null when a number of `country` may be messaged at `at`; else the earliest quarter hour from which
 * it may. A country spanning several zones must be inside 08:00–21:00 in every one of them ("never
 * outside", even where the number could be anywhere in the country); a country we cannot place is
 * never held.
 */
export function quietUntil(country: string | undefined, at: Date): Date | null {
  if (!country) return null;
  const bucket = Math.floor(at.getTime() / STEP_MS);
  const key = `${country}:${bucket}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const zones = zonesOf(country);
  let answer: Date | null = null;
  if (zones.length > 0 && !allowedAt(zones, at)) {
    // The next quarter hour inside every zone's window; two days always reach one (or none exists).
    for (let step = 1; step <= 4 * 48; step++) {
      const candidate = new Date((bucket + step) * STEP_MS);
      if (allowedAt(zones, candidate)) {
        answer = candidate;
        break;
      }
    }
    answer ??= new Date((bucket + 4 * 24) * STEP_MS);
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(key, answer);
  return answer;
}
