import { DomainError } from './errors.ts';

/**
 * PostgreSQL cannot store U+0000 in `text` nor in `jsonb` (it refuses the whole statement), so a
 * NUL a provider or a client sends would turn an accepted message into an error on every retry.
 * Text is never refused for its characters: the NUL is removed, as PostgreSQL-backed systems do,
 * and everything else is kept. A lone UTF-16 surrogate (half of an emoji, cut by a client) is no
 * character at all: it becomes U+FFFD, the replacement character, as a UTF-8 encoder would write it.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the NUL control character is this regex's whole purpose (PostgreSQL refuses it)
const NUL = /\u0000/g;

/** The text without NUL characters nor lone surrogates. */
export function storableText(text: string): string {
  const wellFormed = text.isWellFormed() ? text : text.toWellFormed();
  return wellFormed.includes('\u0000') ? wellFormed.replace(NUL, '') : wellFormed;
}

/** Deeper than any request or content of this platform nests; a deeper one is refused, not walked. */
export const MAX_DEPTH = 64;

/** A value nested deeper than MAX_DEPTH (`[[[[…]]]]` parses fine and would overflow the stack). */
export class TooDeepError extends DomainError {
  override name = 'TooDeepError';
  constructor() {
    super('invalid', 'bad_request', `The request nests deeper than ${MAX_DEPTH} levels`);
  }
}

/**
 * A copy of a JSON-like value (request bodies, query objects, normalized provider content) whose
 * strings and keys hold no NUL. Dates, Buffers and other class instances are kept as they are;
 * unchanged values are returned as the same object.
 */
export function storable<T>(value: T): T {
  return clean(value, 0) as T;
}

function clean(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return storableText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) throw new TooDeepError();
  if (Array.isArray(value)) {
    const items = value.map((item) => clean(item, depth + 1));
    return items.some((item, index) => item !== value[index]) ? items : value;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  let changed = false;
  const entries = Object.entries(value).map(([key, item]) => {
    const cleanKey = storableText(key);
    const cleanItem = clean(item, depth + 1);
    if (cleanKey !== key || cleanItem !== item) changed = true;
    return [cleanKey, cleanItem] as const;
  });
  return changed ? Object.fromEntries(entries) : value;
}
