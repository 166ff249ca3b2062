import { ESCAPES } from '../gateway/http-generic/http-template.ts';
import { readJsonPath, scalarText } from '../gateway/http-generic/json-path.ts';
import type { BotVariables } from './flow-conditions.ts';
import type { NodeOf } from './flow-schema.ts';
import { renderFlowTemplate, type TemplateScope } from './flow-template.ts';
import { storableText } from '../kernel/storable-text.ts';

export type HttpRequest = {
  /** The node calling, so a dry run can answer for it. */ node: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
};
/** Resolves with the status and the parsed JSON body (undefined when not JSON); rejects on a network error or timeout. */
export type HttpCall = (request: HttpRequest) => Promise<{ status: number; body: unknown }>;

const PLATFORM_URL = '{{platform.url}}';

/** The real call: fetch with the node's timeout. */
export const fetchJson: HttpCall = async (request) => {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(request.timeoutMs),
    redirect: 'follow',
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body };
};

/** String values of a JSON body rendered as templates (the JSON is serialized after, so values need no escaping). */
function renderBody(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === 'string') return renderFlowTemplate(value, scope);
  if (Array.isArray(value)) return value.map((item) => renderBody(item, scope));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, renderBody(inner, scope)]));
  return value;
}

/**
 * Calls an HTTP node's external system and reads its `map` out of the JSON answer. Failure (timeout,
 * network, a status outside 2xx, an answer that is not JSON) is `ok: false`, for the node's onError.
 */
export async function callHttpNode(id: string, node: NodeOf<'http'>, scope: () => TemplateScope, http: HttpCall): Promise<{ ok: boolean; vars: BotVariables }> {
  const view = scope();
  // `{{platform.url}}` is a base URL, not a value: it is put in as it is; every other value is URL-encoded.
  const base = node.url.startsWith(PLATFORM_URL) ? String((view.platform as { url: string }).url) : '';
  const url = base + renderFlowTemplate(node.url.slice(base ? PLATFORM_URL.length : 0), view, ESCAPES.url);
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [name, value] of Object.entries(node.headers ?? {})) headers[name] = renderFlowTemplate(value, view, ESCAPES.header);
  let body: string | undefined;
  if (node.body !== undefined && node.method !== 'GET') {
    body = JSON.stringify(renderBody(node.body, view));
    headers['content-type'] ??= 'application/json';
  }
  let answer: { status: number; body: unknown };
  try {
    answer = await http({ node: id, method: node.method, url, headers, body, timeoutMs: node.timeoutMs });
  } catch {
    return { ok: false, vars: {} };
  }
  if (answer.status < 200 || answer.status > 299 || answer.body === undefined) return { ok: false, vars: {} };
  const vars: BotVariables = {};
  for (const [name, path] of Object.entries(node.map)) {
    const value = readJsonPath(answer.body, path);
    // The other system's text goes into the conversation's state and the bot's replies: storable.
    const text = scalarText(value);
    vars[name] = typeof value === 'number' || typeof value === 'boolean' ? value : text === null || text === undefined ? null : storableText(text);
  }
  return { ok: true, vars };
}
