/**
 * Where a path of the server's problems (`nodes.menu.options.1.next`) sits in the editor's JSON text,
 * so a click on the problem selects the value it names. Reads text that JSON.parse accepted.
 */

type Span = { keyStart: number; keyEnd: number; start: number; end: number; primitive: boolean };

/** Every value of the document by its dotted path, with where its key and its value are. */
function spansOf(text: string): Map<string, Span> {
  const spans = new Map<string, Span>();
  let i = 0;
  const skipSpaces = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const readString = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const child = (path: string, name: string) => (path === '' ? name : `${path}.${name}`);
  const readValue = (path: string, key: [number, number] | null): void => {
    skipSpaces();
    const start = i;
    const open = text[i];
    if (open === '{' || open === '[') {
      i++;
      skipSpaces();
      const close = open === '{' ? '}' : ']';
      for (let index = 0; i < text.length && text[i] !== close; index++) {
        skipSpaces();
        if (open === '{') {
          const keyStart = i;
          const name = readString();
          const keyEnd = i;
          skipSpaces();
          i++; // the colon
          readValue(child(path, name), [keyStart, keyEnd]);
        } else {
          readValue(child(path, String(index)), null);
        }
        skipSpaces();
        if (text[i] === ',') i++;
      }
      i++;
    } else if (open === '"') {
      readString();
    } else {
      while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
    }
    spans.set(path, { keyStart: key?.[0] ?? start, keyEnd: key?.[1] ?? start + 1, start, end: i, primitive: open !== '{' && open !== '[' });
  };
  readValue('', null);
  return spans;
}

/**
 * The range to select for a problem's path: the value when it is a plain one, else its key; for a
 * path that is not in the text (a missing field), the nearest part of it that is. Null when the text
 * is not JSON.
 */
export function rangeOfPath(text: string, path: string): { start: number; end: number } | null {
  try {
    JSON.parse(text);
  } catch {
    return null;
  }
  const spans = spansOf(text);
  const parts = path === '' ? [] : path.split('.');
  for (let length = parts.length; length > 0; length--) {
    const span = spans.get(parts.slice(0, length).join('.'));
    if (!span) continue;
    return length === parts.length && span.primitive ? { start: span.start, end: span.end } : { start: span.keyStart, end: span.keyEnd };
  }
  return { start: 0, end: 1 };
}
