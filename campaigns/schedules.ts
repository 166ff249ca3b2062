import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import { z } from 'zod';
import type { ScheduleInput, ScheduleView } from '../contract/campaigns.ts';
import type { Executor } from '../db/connection.ts';
import { scheduleExceptions, scheduleIntervals, schedules } from '../db/schema/index.ts';
import { audit } from '../kernel/audit.ts';
import type { CommandContext } from '../kernel/command.ts';
import { domainErrors } from '../kernel/errors.ts';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const clock = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** The canonical name of a time zone the runtime knows ('america/montevideo' → 'America/Montevideo'), else null. */
function canonicalTimeZone(timeZone: string): string | null {
  try {
    return new Intl.DateTimeFormat('en', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

function isCalendarDate(value: string): boolean {
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const minute = z.number().int().min(0, 'minutes since midnight: 0 to 1440').max(1440, 'minutes since midnight: 0 to 1440');
const endAfterStart = { path: ['endMinute'], message: 'must be after startMinute' };
const interval = z
  .object({ dayOfWeek: z.number().int().min(0, '0 (Sunday) to 6 (Saturday)').max(6, '0 (Sunday) to 6 (Saturday)'), startMinute: minute, endMinute: minute })
  .refine((value) => value.startMinute < value.endMinute, endAfterStart);
const exception = z
  .object({
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
      .refine(isCalendarDate, 'not a date of the calendar'),
    startMinute: minute.nullable().default(null),
    endMinute: minute.nullable().default(null),
    note: z.string().trim().max(200).nullable().default(null),
  })
  .superRefine((value, ctx) => {
    if ((value.startMinute === null) !== (value.endMinute === null)) {
      ctx.addIssue({
        code: 'custom',
        path: [value.startMinute === null ? 'startMinute' : 'endMinute'],
        message: 'give both minutes (open in that interval) or neither (closed all day)',
      });
    } else if (value.startMinute !== null && value.endMinute !== null && value.startMinute >= value.endMinute) {
      ctx.addIssue({ code: 'custom', ...endAfterStart });
    }
  });

/** Refuses an interval that overlaps an earlier one of the same day, at the later one's path. */
function refuseOverlaps<T extends { startMinute: number | null; endMinute: number | null }>(
  items: T[],
  field: string,
  dayOf: (item: T) => string | number,
  describe: (item: T) => string,
  ctx: z.RefinementCtx,
) {
  items.forEach((item, index) => {
    const earlier = items.findIndex(
      (other, otherIndex) =>
        otherIndex < index &&
        dayOf(other) === dayOf(item) &&
        // A whole-day closure (no minutes) leaves no room for another exception that day.
        (other.startMinute === null || item.startMinute === null || (item.startMinute < other.endMinute! && other.startMinute < item.endMinute!)),
    );
    if (earlier >= 0) ctx.addIssue({ code: 'custom', path: [field, index], message: `overlaps ${field}.${earlier} (${describe(items[earlier]!)})` });
  });
}

export const scheduleSchema = z
  .object({
    name: z.string().trim().min(1, 'Name the schedule').max(100),
    timeZone: z
      .string()
      .trim()
      .default('UTC')
      .transform((value, ctx) => {
        const canonical = canonicalTimeZone(value);
        if (!canonical) ctx.addIssue({ code: 'custom', message: `"${value}" is not a known time zone (such as America/Montevideo or UTC)` });
        return canonical ?? value;
      }),
    weekly: z
      .array(interval)
      .max(7 * 48)
      .default([]),
    exceptions: z.array(exception).max(1000).default([]),
  })
  .superRefine((value, ctx) => {
    refuseOverlaps(
      value.weekly,
      'weekly',
      (item) => item.dayOfWeek,
      (item) => `${DAYS[item.dayOfWeek]} ${clock(item.startMinute)}–${clock(item.endMinute)}`,
      ctx,
    );
    refuseOverlaps(
      value.exceptions,
      'exceptions',
      (item) => item.date,
      (item) => (item.startMinute === null ? `${item.date} closed all day` : `${item.date} ${clock(item.startMinute)}–${clock(item.endMinute!)}`),
      ctx,
    );
  });

/** Schedules with their weekly hours (by day, then start) and exceptions (by date), by name. */
export async function presentSchedules(db: Executor, ids?: number[]): Promise<ScheduleView[]> {
  const rows = await db
    .select()
    .from(schedules)
    .where(ids ? inArray(schedules.id, ids) : undefined)
    .orderBy(asc(schedules.name));
  if (!rows.length) return [];
  const scheduleIds = rows.map((row) => row.id);
  const [intervals, exceptions] = await Promise.all([
    db
      .select()
      .from(scheduleIntervals)
      .where(inArray(scheduleIntervals.scheduleId, scheduleIds))
      .orderBy(asc(scheduleIntervals.dayOfWeek), asc(scheduleIntervals.startMinute)),
    db
      .select()
      .from(scheduleExceptions)
      .where(inArray(scheduleExceptions.scheduleId, scheduleIds))
      .orderBy(asc(scheduleExceptions.date), asc(scheduleExceptions.startMinute), asc(scheduleExceptions.id)),
  ]);
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    timeZone: row.timeZone,
    weekly: intervals.filter((i) => i.scheduleId === row.id).map(({ dayOfWeek, startMinute, endMinute }) => ({ dayOfWeek, startMinute, endMinute })),
    exceptions: exceptions.filter((e) => e.scheduleId === row.id).map(({ date, startMinute, endMinute, note }) => ({ date, startMinute, endMinute, note })),
  }));
}

/** Creates a schedule (id null) or replaces one's name, zone, hours and exceptions (admins); answers its id. */
export async function saveSchedule(
  { uow: { tx }, actor }: CommandContext,
  { id, schedule: input }: { id: number | null; schedule: ScheduleInput },
): Promise<number> {
  const [taken] = await tx
    .select({ id: schedules.id })
    .from(schedules)
    .where(id === null ? eq(schedules.name, input.name) : and(eq(schedules.name, input.name), ne(schedules.id, id)));
  if (taken) throw domainErrors.conflict(`A schedule named "${input.name}" already exists`);
  let scheduleId = id;
  if (scheduleId === null) {
    const [row] = await tx.insert(schedules).values({ name: input.name, timeZone: input.timeZone }).returning({ id: schedules.id });
    scheduleId = row!.id;
  } else {
    const [row] = await tx
      .update(schedules)
      .set({ name: input.name, timeZone: input.timeZone })
      .where(eq(schedules.id, scheduleId))
      .returning({ id: schedules.id });
    if (!row) throw domainErrors.notFound('Schedule');
    await tx.delete(scheduleIntervals).where(eq(scheduleIntervals.scheduleId, scheduleId));
    await tx.delete(scheduleExceptions).where(eq(scheduleExceptions.scheduleId, scheduleId));
  }
  const owner = scheduleId;
  if (input.weekly.length) await tx.insert(scheduleIntervals).values(input.weekly.map((item) => ({ ...item, scheduleId: owner })));
  if (input.exceptions.length) await tx.insert(scheduleExceptions).values(input.exceptions.map((item) => ({ ...item, scheduleId: owner })));
  await audit(tx, {
    by: actor,
    action: id === null ? 'schedule.created' : 'schedule.updated',
    target: { type: 'schedule', id: owner },
    details: { name: input.name, timeZone: input.timeZone, intervals: input.weekly.length, exceptions: input.exceptions.length },
  });
  return owner;
}
