/**
 * A tiny JSON path reader for provider payloads: `status`, `error.code`, `messages[0].id`,
 * `results[1]["key.with.dots"]`, with an optional leading `$` or `$.`. No wildcards, filters or
 * recursion: a provider mapping names one value, and a smaller grammar is easier to validate.
 */
export type JsonPath = readonly (string | number)[];

export class JsonPathSyntaxError extends Error {
  override name = 'JsonPathSyntaxError';
}

const NAME = /^[^.[\]"'\s]+/;
const INDEX = /^\[(\d+)\]/;
const QUOTED = /^\[(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\]/;

/** Splits a path into keys and indexes; throws JsonPathSyntaxError saying where it is wrong. */
export function parseJsonPath(path: string): JsonPath {
  let rest = path.trim();
  if (rest.startsWith('$')) rest = rest.slice(1).replace(/^\./, '');
  if (!rest) throw new JsonPathSyntaxError('the path is empty');
  const segments: (string | number)[] = [];
  let expectName = true;
  while (rest) {
    const next = readSegment(rest, expectName);
    if (!next) throw new JsonPathSyntaxError(`unexpected "${rest.slice(0, 12)}" at position ${path.length - rest.length}`);
    segments.push(next.segment);
    rest = rest.slice(next.length);
    expectName = false;
    if (rest.startsWith('.')) {
      rest = rest.slice(1);
      if (!rest) throw new JsonPathSyntaxError('the path ends with "."');
      expectName = true;
    }
  }
  return segments;
}

/** The key or index at the start of `rest` and the length of its text; undefined when none is there. */
function readSegment(rest: string, expectName: boolean): { segment: string | number; length: number } | undefined {
  const index = INDEX.exec(rest);
  if (index) return { segment: Number(index[1]), length: index[0].length };
  const quoted = QUOTED.exec(rest);
  if (quoted) return { segment: (quoted[1] ?? quoted[2] ?? '').replace(/\\(.)/g, '$1'), length: quoted[0].length };
  const name = expectName ? NAME.exec(rest) : null;
  if (name) return { segment: name[0], length: name[0].length };
  return undefined;
}

/** The value at `path`, or undefined when any step is missing or of the wrong kind. */
export function readJsonPath(value: unknown, path: JsonPath | string): unknown {
  const segments = typeof path === 'string' ? parseJsonPath(path) : path;
  let current = value;
  for (const segment of segments) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
      if (!Object.hasOwn(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}

/**
 * Reads a field of a flat form body or a JSON body: an exact key first (form fields such as
 * `sms.text` or `msg[body]` are plain names), then the path.
 */
export function readField(value: unknown, path: string): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.hasOwn(value, path)) {
    return (value as Record<string, unknown>)[path];
  }
  return readJsonPath(value, path);
}

/** A scalar read from a payload as text (numbers and booleans included); objects and absence give undefined. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}
