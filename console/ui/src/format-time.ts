/** Time labels shared by the console and the simulator (local time zone of the browser). */

const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayAndTime = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const dayOnly = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

function parse(iso: string): Date | null {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

function isToday(date: Date): boolean {
  return date.toDateString() === new Date().toDateString();
}

/** "14:05" today, "Mar 3" before: fits the inbox list. */
export function formatShortTime(iso: string): string {
  const date = parse(iso);
  if (!date) return '';
  return isToday(date) ? timeOnly.format(date) : dayOnly.format(date);
}

/** "14:05" today, "Mar 3, 14:05" before: fits a chat bubble. */
export function formatMessageTime(iso: string): string {
  const date = parse(iso);
  if (!date) return '';
  return isToday(date) ? timeOnly.format(date) : dayAndTime.format(date);
}

/** Full local date and time, for `title` tooltips. */
export function formatFullTime(iso: string): string {
  const date = parse(iso);
  return date ? date.toLocaleString() : iso;
}
