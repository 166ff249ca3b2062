import { eq } from 'drizzle-orm';
import type { Executor } from '../db/connection.ts';
import { scheduleExceptions, scheduleIntervals, schedules } from '../db/schema/index.ts';

export type Interval = { startMinute: number; endMinute: number };
export type Schedule = {
  timeZone: string;
  /** Open intervals per weekday, 0 = Sunday. */
  weekly: Interval[][];
  /** Dated exceptions (YYYY-MM-DD, local): an empty list means closed all day. */
  exceptions: Map<string, Interval[]>;
};

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The wall-clock date, weekday and minute of `at` in a time zone. */
export function localTime(at: Date, timeZone: string): { date: string; weekday: number; minute: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: WEEKDAYS[parts.weekday!]!,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** Whether the schedule is open at `at`; a dated exception replaces that day's weekly hours. */
export function isOpenAt(schedule: Schedule, at: Date): boolean {
  const local = localTime(at, schedule.timeZone);
  const intervals = schedule.exceptions.get(local.date) ?? schedule.weekly[local.weekday] ?? [];
  return intervals.some((interval) => local.minute >= interval.startMinute && local.minute < interval.endMinute);
}

export async function loadSchedule(db: Executor, scheduleId: number): Promise<Schedule | null> {
  const schedule = await db.query.schedules.findFirst({ where: eq(schedules.id, scheduleId) });
  if (!schedule) return null;
  const [intervals, exceptions] = await Promise.all([
    db.select().from(scheduleIntervals).where(eq(scheduleIntervals.scheduleId, scheduleId)),
    db.select().from(scheduleExceptions).where(eq(scheduleExceptions.scheduleId, scheduleId)),
  ]);
  const weekly: Interval[][] = Array.from({ length: 7 }, () => []);
  for (const interval of intervals) weekly[interval.dayOfWeek]!.push(interval);
  const byDate = new Map<string, Interval[]>();
  for (const exception of exceptions) {
    const list = byDate.get(exception.date) ?? [];
    if (exception.startMinute !== null && exception.endMinute !== null) {
      list.push({ startMinute: exception.startMinute, endMinute: exception.endMinute });
    }
    byDate.set(exception.date, list);
  }
  return { timeZone: schedule.timeZone, weekly, exceptions: byDate };
}

/** A campaign without a schedule is always open. */
export async function isScheduleOpen(db: Executor, scheduleId: number | null, at = new Date()): Promise<boolean> {
  if (scheduleId === null) return true;
  const schedule = await loadSchedule(db, scheduleId);
  return schedule === null ? true : isOpenAt(schedule, at);
}
