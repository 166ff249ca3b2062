/**
 * The gateway speaks local wall-clock time without a zone (`YYYY-MM-DD HH:MM:SS`): in `time_after`
 * filters and in SMS timestamps. These convert with the zone its clock is set to.
 */
function wallClock(date: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((item) => item.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`;
}

/** A moment as the gateway writes it in its zone. */
export function formatGatewayTime(date: Date, timeZone: string): string {
  return wallClock(date, timeZone);
}

const WALL = /^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2}):(\d{2})$/;

/** The moment a gateway timestamp names in its zone; null when it is not one. */
export function parseGatewayTime(text: string | undefined, timeZone: string): Date | null {
  const match = text ? WALL.exec(text.trim()) : null;
  if (!match) return null;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const asUtc = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  // The zone's offset at that moment: read the guess back in the zone and correct by the difference.
  const shown = parseGatewayTimeUtc(wallClock(new Date(asUtc), timeZone));
  return new Date(asUtc - (shown - asUtc));
}

function parseGatewayTimeUtc(text: string): number {
  const [, year, month, day, hour, minute, second] = WALL.exec(text)!.map(Number) as number[];
  return Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
}
