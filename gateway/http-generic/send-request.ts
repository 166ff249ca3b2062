import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { OutboundMessage } from '../channel.ts';
import { ESCAPES, renderTemplate, templateView, type TemplateView } from './http-template.ts';
import type { SendSettings } from './http-generic-settings.ts';

export type ProviderRequest = { url: string; method: string; headers: Headers; body?: string };

/** The placeholders for one message: the number in the forms providers ask for, our address, the text. */
export function messageView(message: OutboundMessage, from: string, secrets: Record<string, string>): TemplateView {
  const toDigits = message.to.replace(/\D/g, '');
  const parsed = parsePhoneNumberFromString(message.to);
  // As dialled inside the number's own country (trunk prefix included), digits only: 098344484.
  const toNational = parsed ? parsed.formatNational().replace(/\D/g, '') : toDigits;
  return templateView({ to: message.to, toDigits, toNational, from, text: message.text, messageId: String(message.messageId) }, secrets);
}

/** A JSON template object: string leaves rendered as plain values, then serialized by JSON.stringify. */
function renderTree(value: unknown, view: TemplateView): unknown {
  if (typeof value === 'string') return renderTemplate(value, view, ESCAPES.raw);
  if (Array.isArray(value)) return value.map((item) => renderTree(item, view));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderTree(item, view)]));
  }
  return value;
}

/**
 * The HTTP request for one message. Each value is escaped for where it lands: URL components are
 * percent-encoded, JSON string templates JSON-escaped, object templates serialized whole (so no
 * value can close a quote or add a field), header values refused if they hold a line break.
 */
export function buildProviderRequest(send: SendSettings, view: TemplateView): ProviderRequest {
  const headers = new Headers();
  for (const [name, value] of Object.entries(send.headers)) headers.set(name, renderTemplate(value, view, ESCAPES.header));
  if (send.basicAuth) {
    const username = renderTemplate(send.basicAuth.username, view, ESCAPES.raw);
    const password = renderTemplate(send.basicAuth.password, view, ESCAPES.raw);
    headers.set('authorization', `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`);
  }
  const url = renderTemplate(send.url, view, ESCAPES.url);
  if (send.bodyType === 'none' || send.body === undefined) return { url, method: send.method, headers };

  let body: string;
  if (send.bodyType === 'json') {
    body = typeof send.body === 'string' ? renderTemplate(send.body, view, ESCAPES.json) : JSON.stringify(renderTree(send.body, view));
    if (!headers.has('content-type')) headers.set('content-type', 'application/json; charset=utf-8');
  } else {
    body =
      typeof send.body === 'string'
        ? renderTemplate(send.body, view, ESCAPES.url)
        : new URLSearchParams(Object.entries(renderTree(send.body, view) as Record<string, unknown>).map(([key, item]) => [key, String(item)])).toString();
    if (!headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded; charset=utf-8');
  }
  return { url, method: send.method, headers, body };
}
