import { z } from 'zod';
import { localTime } from './campaign-schedule.ts';
import type { Condition, Operator, Validation } from './flow-schema.ts';
import { bestMatch, normalizeText } from './understand.ts';

export type BotValue = string | number | boolean | null;
export type BotVariables = Record<string, BotValue>;

/** What a turn knows of the world besides the customer's words. */
export type TurnContext = {
  now: Date;
  conversationId: number;
  contact: { name: string | null; address: string; attributes: Record<string, unknown> };
  channel: { type: string; name: string };
  campaign: { name: string | null; timeZone: string; open: boolean; outOfTimeMessage: string | null };
  /** Base URL of this platform, `{{platform.url}}` in HTTP nodes (the demo's order service lives there). */
  platformUrl: string;
};

const asNumber = (value: unknown): number | null => {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^\s*-?\d+([.,]\d+)?\s*$/.test(value)) return Number(value.trim().replace(',', '.'));
  return null;
};
const asText = (value: unknown) => (value === null || value === undefined ? '' : normalizeText(String(value)));

/** Compares case- and accent-insensitively as text, numerically where both sides are numbers. */
export function compare(actual: unknown, op: Operator, expected: unknown): boolean {
  const present = actual !== null && actual !== undefined && actual !== '';
  switch (op) {
    case 'exists':
      return present;
    case 'not_exists':
      return !present;
    case 'equals':
    case 'not_equals': {
      const [a, b] = [asNumber(actual), asNumber(expected)];
      const same = a !== null && b !== null ? a === b : asText(actual) === asText(expected);
      return op === 'equals' ? same : !same;
    }
    case 'contains':
      return present && asText(actual).includes(asText(expected));
    case 'matches':
      return present && typeof expected === 'string' && new RegExp(expected, 'iu').test(asText(actual));
    case 'in':
      return Array.isArray(expected) && expected.some((item) => compare(actual, 'equals', item));
    default: {
      const [a, b] = [asNumber(actual), asNumber(expected)];
      if (a === null || b === null) return false;
      return op === 'gt' ? a > b : op === 'gte' ? a >= b : op === 'lt' ? a < b : a <= b;
    }
  }
}

const minutes = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3));

/** Whether a flow condition holds for these variables and this context. */
export function evaluate(condition: Condition, vars: BotVariables, context: TurnContext): boolean {
  switch (condition.type) {
    case 'variable':
      return compare(vars[condition.name], condition.op, condition.value);
    case 'contact': {
      const { contact } = context;
      const actual = condition.name === 'name' ? contact.name : condition.name === 'address' ? contact.address : contact.attributes[condition.name];
      return compare(actual, condition.op, condition.value);
    }
    case 'channel':
      return compare(context.channel[condition.field], condition.op, condition.value);
    case 'time': {
      const local = localTime(context.now, condition.timeZone ?? context.campaign.timeZone);
      if (condition.days && !condition.days.includes(local.weekday)) return false;
      const [from, to] = [minutes(condition.from), minutes(condition.to)];
      return from <= to ? local.minute >= from && local.minute < to : local.minute >= from || local.minute < to;
    }
    case 'schedule':
      return context.campaign.open === condition.open;
    case 'all':
      return condition.conditions.every((inner) => evaluate(inner, vars, context));
    case 'any':
      return condition.conditions.some((inner) => evaluate(inner, vars, context));
    case 'not':
      return !evaluate(condition.condition, vars, context);
  }
}

const email = z.email();

/** Day first (25/12/2026) or ISO (2026-12-25), checked to be a real day; YYYY-MM-DD or null. */
export function parseDate(text: string): string | null {
  const trimmed = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(trimmed);
  const dayFirst = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(trimmed);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]] : dayFirst ? [dayFirst[3], dayFirst[2], dayFirst[1]] : [];
  if (!year) return null;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCFullYear() !== Number(year) || date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) return null;
  return date.toISOString().slice(0, 10);
}

/** The value an answer gives a variable, or undefined when it does not pass the node's validation. */
export function validateAnswer(text: string, validation: Validation): BotValue | undefined {
  const trimmed = text.trim();
  switch (validation.type) {
    case 'text':
      if (trimmed.length < (validation.minLength ?? 1) || trimmed.length > (validation.maxLength ?? 4096)) return undefined;
      return trimmed;
    case 'number': {
      const value = asNumber(trimmed);
      if (value === null || (validation.integer && !Number.isInteger(value))) return undefined;
      if ((validation.min !== undefined && value < validation.min) || (validation.max !== undefined && value > validation.max)) return undefined;
      return value;
    }
    case 'email':
      return email.safeParse(trimmed).success ? trimmed.toLowerCase() : undefined;
    case 'date':
      return parseDate(trimmed) ?? undefined;
    case 'regex':
      return new RegExp(validation.pattern, 'iu').test(trimmed) ? trimmed : undefined;
    case 'one_of':
      return (
        bestMatch(
          normalizeText(trimmed),
          validation.values.map((value) => ({ value, keywords: [value] })),
          true,
        ) ?? undefined
      );
  }
}

/** What the bot says when an answer does not pass, unless the node says otherwise. */
export const INVALID_ANSWER: Record<Validation['type'], string> = {
  text: 'Please write your answer.',
  number: 'Please answer with a number.',
  email: 'That does not look like an email address. Please write it again (name@example.com).',
  date: 'Please write a date like 25/12/2026.',
  regex: 'That is not in the expected format. Please try again.',
  one_of: 'Please answer with one of the options.',
};
