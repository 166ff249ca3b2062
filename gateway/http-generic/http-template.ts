import Mustache from 'mustache';

/**
 * Mustache templates for a provider's URL, headers and body. Values are never HTML-escaped: each
 * target renders with its own escape (JSON string, URL component, header value), and values are
 * data, never templates, so a `{{` typed by a customer is sent as typed. Unescaped tags (`{{{x}}}`,
 * `{{&x}}`), partials and delimiter changes are refused: they would let a value break the target.
 */
export const PLACEHOLDERS = ['to', 'toDigits', 'toNational', 'from', 'text', 'messageId'] as const;

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRET_PLACEHOLDER = /^secrets\.([A-Za-z_][A-Za-z0-9_]*)$/;

export type TemplateView = Record<(typeof PLACEHOLDERS)[number], string> & { secrets: Record<string, string> };

export type Escape = (value: string) => string;

/** A rendered value the target cannot carry (a line break in a header). */
export class TemplateValueError extends Error {
  override name = 'TemplateValueError';
}

export const ESCAPES = {
  /** Inside a JSON string literal: the template supplies the quotes. */
  json: (value: string) => JSON.stringify(value).slice(1, -1),
  /** A URL query or path component, or a form value: `&`, `+`, `=`, `/`, spaces and non-ASCII encoded. */
  url: (value: string) => encodeURIComponent(value),
  /** Header values cannot hold line breaks (header injection); refused rather than altered. */
  header: (value: string) => {
    if (/[\r\n\0]/.test(value)) throw new TemplateValueError('a header value cannot contain a line break');
    return value;
  },
  /** Values placed in a structure that serializes itself afterwards (a JSON or form body object). */
  raw: (value: string) => value,
} satisfies Record<string, Escape>;

type Token = [type: string, value: string, start: number, end: number, children?: Token[]];

/** What is wrong with a template (empty when it is usable), in words an admin can act on. */
export function templateProblems(template: string): string[] {
  return mustacheProblems(template, (name) =>
    isKnownPlaceholder(name) ? null : `unknown placeholder {{${name}}}: use ${PLACEHOLDERS.join(', ')} or secrets.<name>`,
  );
}

/**
 * A mustache template's problems: a syntax error, unescaped tags, partials, delimiter changes, and
 * whatever `checkName` says of each name it uses (null: fine).
 */
export function mustacheProblems(template: string, checkName: (name: string) => string | null = () => null): string[] {
  let tokens: Token[];
  try {
    tokens = Mustache.parse(template) as unknown as Token[];
  } catch (error) {
    return [`is not a valid template: ${(error as Error).message}`];
  }
  const problems: string[] = [];
  const walk = (list: Token[]) => {
    for (const [type, value, , , children] of list) {
      if (type === '&') problems.push(`{{{${value}}}} and {{&${value}}} are not allowed: use {{${value}}}, escaped for where it goes`);
      else if (type === '>') problems.push(`partials ({{>${value}}}) are not supported`);
      else if (type === '=') problems.push('changing the {{ }} delimiters is not supported');
      else if (type === 'name' || type === '#' || type === '^') {
        const problem = checkName(value);
        if (problem) problems.push(problem);
      }
      if (children) walk(children);
    }
  };
  walk(tokens);
  return problems;
}

function isKnownPlaceholder(name: string): boolean {
  return (PLACEHOLDERS as readonly string[]).includes(name) || SECRET_PLACEHOLDER.test(name);
}

/** The secrets a template reads, so a channel can say which one is missing before it sends. */
export function secretsUsedBy(template: string): string[] {
  return [...template.matchAll(/\{\{\s*[#^/]?\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((match) => match[1]!);
}

export const isSecretName = (name: string) => SECRET_NAME.test(name);

/** Renders with the target's escape; `view.secrets` must have no prototype (see `templateView`). */
export function renderTemplate(template: string, view: TemplateView, escapeValue: Escape): string {
  return Mustache.render(template, view, undefined, { escape: escapeValue });
}

/**
 * The placeholders' values. Secrets sit in a prototype-less object so that `{{secrets.toString}}`
 * finds nothing instead of a function Mustache would call.
 */
export function templateView(values: Omit<TemplateView, 'secrets'>, secrets: Record<string, string>): TemplateView {
  return { ...values, secrets: Object.assign(Object.create(null) as Record<string, string>, secrets) };
}
