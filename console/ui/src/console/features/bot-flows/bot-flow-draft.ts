import type { FieldIssue } from '../../../../../../contract/common.ts';

/** Keys in the order people write them; the database keeps JSON without its key order. */
const KEY_ORDER = [
  'start',
  'settings',
  'intents',
  'nodes',
  'type',
  'name',
  'label',
  'text',
  'keywords',
  'patterns',
  'variable',
  'validate',
  'options',
  'branches',
  'when',
  'method',
  'url',
  'headers',
  'body',
  'map',
  'timeoutMs',
  'campaign',
  'priority',
  'note',
  'invalidText',
  'maxTries',
  'next',
  'else',
  'to',
  'onError',
  'onGiveUp',
  'outOfHours',
];
/** Keys whose value names another node. */
const REFERENCES = new Set(['next', 'else', 'to', 'onError', 'onGiveUp', 'outOfHours']);

const rank = (key: string) => (KEY_ORDER.includes(key) ? KEY_ORDER.indexOf(key) : KEY_ORDER.length);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The node ids a node refers to, in the order they appear. */
function referencedNodes(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return REFERENCES.has(key) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((item) => referencedNodes(item));
  if (isObject(value)) return Object.entries(value).flatMap(([name, item]) => referencedNodes(item, name));
  return [];
}

/** Node ids in the order a customer meets them from `start` (breadth first), the unreachable ones last. */
function flowOrder(nodes: Record<string, unknown>, start: unknown): string[] {
  const seen = new Set<string>();
  const queue = typeof start === 'string' && Object.hasOwn(nodes, start) ? [start] : [];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const target of referencedNodes(nodes[id])) if (Object.hasOwn(nodes, target) && !seen.has(target)) queue.push(target);
  }
  return [...seen, ...Object.keys(nodes).filter((id) => !seen.has(id))];
}

/** The same value with every object's keys in KEY_ORDER (the others after, as they were). */
function tidy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tidy);
  if (!isObject(value)) return value;
  const entries = Object.entries(value).sort(([a], [b]) => rank(a) - rank(b));
  return Object.fromEntries(entries.map(([name, item]) => [name, tidy(item)]));
}

/** A flow definition as the editor holds it: JSON text, two-space indented, `type` first, nodes in the order the flow runs. */
export function definitionText(definition: unknown): string {
  const tidied = tidy(definition);
  if (!isObject(tidied) || !isObject(tidied.nodes)) return JSON.stringify(tidied, null, 2);
  const nodes = tidied.nodes;
  const ordered = Object.fromEntries(flowOrder(nodes, tidied.start).map((id) => [id, nodes[id]]));
  return JSON.stringify({ ...tidied, nodes: ordered }, null, 2);
}

/** Where a parse error sits, as "line 4, column 7", from V8's "at position 57" when it does not say so itself. */
function whereInText(message: string, text: string): string {
  if (/line \d+/i.test(message)) return '';
  const position = /position (\d+)/.exec(message);
  if (!position) return '';
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return ` (line ${line}, column ${column})`;
}

/** The editor's text as a definition, or why it is not JSON (checked here before the server sees it). */
export function parseDefinition(text: string): { ok: true; definition: unknown } | { ok: false; issue: FieldIssue } {
  if (text.trim() === '') return { ok: false, issue: { path: '', message: 'Write the flow definition (JSON)' } };
  try {
    return { ok: true, definition: JSON.parse(text) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, issue: { path: '', message: `The definition is not valid JSON: ${message}${whereInText(message, text)}` } };
  }
}

/** The customer messages of a dry run: one per line, blank lines skipped. */
export function messageLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** Where a new flow starts: a menu, a question and a handoff with a note, to adapt. */
export const STARTER_FLOW = {
  start: 'menu',
  settings: { typingDelayMs: 800, inactivityMinutes: 30, fallbackText: 'Sorry, I did not get that.' },
  intents: [{ name: 'agent', keywords: ['agent', 'human', 'person'], to: 'agent' }],
  nodes: {
    menu: {
      type: 'menu',
      text: 'Hi! How can we help?',
      options: [
        { label: 'Opening hours', next: 'hours' },
        { label: 'Talk to an agent', next: 'ask_name' },
      ],
    },
    hours: { type: 'message', text: 'We are open Monday to Friday, 9:00 to 18:00.', next: 'menu' },
    ask_name: { type: 'ask', text: 'What is your name?', variable: 'name', next: 'agent' },
    agent: { type: 'handoff', text: 'Thanks {{name}}, an agent will be with you shortly.', note: 'Customer {{name}} asked for an agent' },
  },
};
