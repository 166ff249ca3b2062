import { z } from 'zod';
import { JsonPathSyntaxError, parseJsonPath } from '../gateway/http-generic/json-path.ts';
import { templateProblems } from './flow-template.ts';

/**
 * A bot flow is data: a versioned JSON document of nodes, validated here. Every reference to another
 * node, every regex, JSON path and template is checked when the flow is saved, so a flow that is
 * accepted cannot fail on a missing node or a broken pattern in front of a customer. Errors carry the
 * exact path (`nodes.menu.options.2.next`).
 */

const nodeId = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'Node ids start with a letter: letters, digits, _ and -, at most 64');
const variableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'Variable names are letters, digits and _, not starting with a digit');
const text = z.string().trim().min(1, 'Write the text').max(4096);
const keywordList = z.array(z.string().trim().min(1).max(100)).max(50);
const tries = z.number().int().min(1).max(10);

const regexSource = z
  .string()
  .min(1)
  .max(500)
  .superRefine((source, context) => {
    try {
      new RegExp(source, 'iu');
    } catch (error) {
      context.addIssue({ code: 'custom', message: `is not a valid regular expression: ${(error as Error).message}` });
    }
  });

const jsonPath = z
  .string()
  .min(1)
  .max(200)
  .superRefine((path, context) => {
    try {
      parseJsonPath(path);
    } catch (error) {
      if (!(error instanceof JsonPathSyntaxError)) throw error;
      context.addIssue({ code: 'custom', message: `is not a JSON path: ${error.message}` });
    }
  });

/** A `{{variable}}` template: the same rules as messages everywhere (no unescaped tags, no partials). */
const template = (schema: z.ZodString) =>
  schema.superRefine((value, context) => {
    for (const problem of templateProblems(value)) context.addIssue({ code: 'custom', message: problem });
  });

const OPERATORS = ['equals', 'not_equals', 'contains', 'matches', 'gt', 'gte', 'lt', 'lte', 'exists', 'not_exists', 'in'] as const;
export type Operator = (typeof OPERATORS)[number];

const comparison = {
  op: z.enum(OPERATORS),
  value: z.union([z.string().max(500), z.number(), z.boolean(), z.array(z.union([z.string().max(200), z.number()])).max(100)]).optional(),
};
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'Times are HH:MM, 24-hour');

export type Condition =
  | { type: 'variable'; name: string; op: Operator; value?: string | number | boolean | (string | number)[] }
  | { type: 'contact'; name: string; op: Operator; value?: string | number | boolean | (string | number)[] }
  | { type: 'channel'; field: 'type' | 'name'; op: Operator; value?: string | number | boolean | (string | number)[] }
  | { type: 'time'; from: string; to: string; days?: number[]; timeZone?: string }
  | { type: 'schedule'; open: boolean }
  | { type: 'all'; conditions: Condition[] }
  | { type: 'any'; conditions: Condition[] }
  | { type: 'not'; condition: Condition };

const timeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, 'Unknown time zone (use an IANA name such as America/Montevideo)');

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('variable'), name: variableName, ...comparison }),
    /** `name`, `address`, or an attribute of the contact. */
    z.object({ type: z.literal('contact'), name: z.string().min(1).max(64), ...comparison }),
    z.object({ type: z.literal('channel'), field: z.enum(['type', 'name']), ...comparison }),
    /** Local time of day (end exclusive; a `from` after `to` wraps past midnight), on the given weekdays (0 = Sunday). */
    z.object({
      type: z.literal('time'),
      from: clock,
      to: clock,
      days: z.array(z.number().int().min(0).max(6)).max(7).optional(),
      timeZone: timeZone.optional(),
    }),
    /** Whether the campaign's schedule is open now. */
    z.object({ type: z.literal('schedule'), open: z.boolean() }),
    z.object({ type: z.literal('all'), conditions: z.array(conditionSchema).min(1).max(20) }),
    z.object({ type: z.literal('any'), conditions: z.array(conditionSchema).min(1).max(20) }),
    z.object({ type: z.literal('not'), condition: conditionSchema }),
  ]),
);

const validation = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), minLength: z.number().int().min(0).optional(), maxLength: z.number().int().min(1).max(4096).optional() }),
  z.object({ type: z.literal('number'), min: z.number().optional(), max: z.number().optional(), integer: z.boolean().optional() }),
  z.object({ type: z.literal('email') }),
  /** Day first (25/12/2026, 25-12-2026) or ISO (2026-12-25); stored as YYYY-MM-DD. */
  z.object({ type: z.literal('date') }),
  z.object({ type: z.literal('regex'), pattern: regexSource }),
  /** One of the values, tolerant of case, accents and small typos; the value as written here is stored. */
  z.object({ type: z.literal('one_of'), values: z.array(z.string().trim().min(1).max(100)).min(1).max(50) }),
]);
export type Validation = z.infer<typeof validation>;

const messageNode = z.object({
  type: z.literal('message'),
  text: template(text),
  /** Absent: the flow ends here, and the customer's next message starts it again. */
  next: nodeId.optional(),
});

const menuNode = z.object({
  type: z.literal('menu'),
  /** WhatsApp allows 1024 characters beside buttons or a list. */
  text: template(z.string().trim().min(1, 'Write the text').max(1024)),
  options: z
    .array(
      z.object({
        /** WhatsApp shows 24 characters of a list row. */
        label: z.string().trim().min(1).max(24, 'WhatsApp shows at most 24 characters of an option'),
        /** Extra words that pick this option (the label and its number always do). */
        keywords: keywordList.optional(),
        next: nodeId,
      }),
    )
    .min(1)
    .max(10),
  invalidText: template(z.string().trim().min(1).max(1024)).optional(),
  maxTries: tries.default(3),
  /** Where to go after `maxTries` invalid answers; absent, the customer is handed to an agent. */
  onGiveUp: nodeId.optional(),
});

const askNode = z.object({
  type: z.literal('ask'),
  text: template(text),
  variable: variableName,
  validate: validation.default({ type: 'text' }),
  invalidText: template(text).optional(),
  maxTries: tries.default(3),
  next: nodeId,
  onGiveUp: nodeId.optional(),
});

const conditionNode = z.object({
  type: z.literal('condition'),
  branches: z
    .array(z.object({ when: conditionSchema, next: nodeId }))
    .min(1)
    .max(20),
  else: nodeId,
});

const httpNode = z.object({
  type: z.literal('http'),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
  /** Values are URL-encoded where they are placed. */
  url: template(z.string().trim().min(1).max(2000)).refine(
    (url) => /^https?:\/\//i.test(url) || url.startsWith('{{platform.url}}'),
    'The URL starts with http://, https:// or {{platform.url}}',
  ),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'Not a header name'), template(z.string().max(2000))).optional(),
  /** A JSON body; string values inside it are templates. */
  body: z.unknown().optional(),
  timeoutMs: z.number().int().min(100).max(30_000).default(5000),
  /** Variables read from the JSON answer: `{ "orderStatus": "order.status" }`. */
  map: z.record(variableName, jsonPath).default({}),
  next: nodeId,
  /** A timeout, a network error, a status outside 200-299 or a body that is not JSON. */
  onError: nodeId,
});

const handoffNode = z.object({
  type: z.literal('handoff'),
  /** Another campaign by name; absent, the conversation's own. */
  campaign: z.string().trim().min(1).max(200).optional(),
  /** Higher waits less (0-100). */
  priority: z.number().int().min(0).max(100).default(0),
  /** Shown to the agent who takes the conversation. */
  note: template(z.string().trim().max(2000)).optional(),
  /** Said to the customer before the handoff. */
  text: template(text).optional(),
  /** Out of hours the campaign's out-of-time message is sent (once); then the flow goes here, or ends. */
  outOfHours: nodeId.optional(),
});

const closeNode = z.object({
  type: z.literal('close'),
  text: template(text).optional(),
});

const jumpNode = z.object({ type: z.literal('jump'), to: nodeId });

const flowNode = z.discriminatedUnion('type', [messageNode, menuNode, askNode, conditionNode, httpNode, handoffNode, closeNode, jumpNode]);
export type FlowNode = z.infer<typeof flowNode>;
export type NodeOf<T extends FlowNode['type']> = Extract<FlowNode, { type: T }>;

const intent = z
  .object({
    name: z.string().trim().min(1).max(64),
    keywords: keywordList.default([]),
    /** Regular expressions, matched against the reply lower-cased and without accents. */
    patterns: z.array(regexSource).max(20).default([]),
    to: nodeId,
  })
  .refine((value) => value.keywords.length + value.patterns.length > 0, { message: 'An intent needs keywords or patterns', path: ['keywords'] });

export const DEFAULT_TYPING_DELAY_MS = 800;
export const DEFAULT_INACTIVITY_MINUTES = 30;

export const flowSchema = z
  .object({
    start: nodeId,
    settings: z
      .object({
        /** A pause before each reply (with a typing indicator where the channel has one). */
        typingDelayMs: z.number().int().min(0).max(10_000).default(DEFAULT_TYPING_DELAY_MS),
        /** Minutes without a customer message before the bot closes the conversation (0: never). */
        inactivityMinutes: z
          .number()
          .int()
          .min(0)
          .max(7 * 24 * 60)
          .default(DEFAULT_INACTIVITY_MINUTES),
        timeoutText: template(text).optional(),
        /** Said to a reply the bot cannot place when no menu or question is waiting. */
        fallbackText: template(text).optional(),
      })
      .prefault({}),
    /** Reachable from every node: "agent", "menu", "human"… */
    intents: z.array(intent).max(50).default([]),
    nodes: z.record(nodeId, flowNode).refine((nodes) => Object.keys(nodes).length > 0, 'A flow needs at least one node'),
  })
  .superRefine((flow, context) => {
    const missing = (target: string | undefined, path: (string | number)[]) => {
      if (target !== undefined && !Object.hasOwn(flow.nodes, target)) {
        context.addIssue({ code: 'custom', message: `There is no node "${target}"`, path });
      }
    };
    missing(flow.start, ['start']);
    flow.intents.forEach((intent, index) => {
      missing(intent.to, ['intents', index, 'to']);
    });
    for (const [id, node] of Object.entries(flow.nodes)) {
      for (const [target, path] of references(node)) missing(target, ['nodes', id, ...path]);
    }
    const loop = loopWithoutInput(flow.nodes);
    if (loop) {
      context.addIssue({
        code: 'custom',
        message: `These nodes loop without waiting for the customer: ${loop.join(' → ')}`,
        path: ['nodes', loop[0]!],
      });
    }
  });

export type Flow = z.infer<typeof flowSchema>;
export type FlowInput = z.input<typeof flowSchema>;

/** The nodes a node can go to, with the path of each reference inside the node. */
export function references(node: FlowNode): [string | undefined, (string | number)[]][] {
  switch (node.type) {
    case 'message':
      return [[node.next, ['next']]];
    case 'menu':
      return [...node.options.map((option, index): [string, (string | number)[]] => [option.next, ['options', index, 'next']]), [node.onGiveUp, ['onGiveUp']]];
    case 'ask':
      return [
        [node.next, ['next']],
        [node.onGiveUp, ['onGiveUp']],
      ];
    case 'condition':
      return [...node.branches.map((branch, index): [string, (string | number)[]] => [branch.next, ['branches', index, 'next']]), [node.else, ['else']]];
    case 'http':
      return [
        [node.next, ['next']],
        [node.onError, ['onError']],
      ];
    case 'handoff':
      return [[node.outOfHours, ['outOfHours']]];
    case 'jump':
      return [[node.to, ['to']]];
    case 'close':
      return [];
  }
}

/** Nodes that wait for the customer's reply; every cycle must pass through one. */
const WAITS = new Set<FlowNode['type']>(['menu', 'ask']);

/** A cycle of nodes that never wait for the customer (it would run forever), or null. */
function loopWithoutInput(nodes: Record<string, FlowNode>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    const node = nodes[id];
    if (!node || WAITS.has(node.type) || state.get(id) === 'done') return null;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const [target] of references(node)) {
      const loop = target ? visit(target) : null;
      if (loop) return loop;
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const id of Object.keys(nodes)) {
    const loop = visit(id);
    if (loop) return loop;
  }
  return null;
}

/** A flow checked and completed with its defaults, or the problems with their paths. */
export function parseFlow(input: unknown): { ok: true; flow: Flow } | { ok: false; problems: { path: string; message: string }[] } {
  const result = flowSchema.safeParse(input);
  if (result.success) return { ok: true, flow: result.data };
  return { ok: false, problems: result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) };
}
