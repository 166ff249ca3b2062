import Mustache from 'mustache';

/**
 * `{{variables}}` in bot texts, notes and HTTP requests: the flow's variables by name, plus
 * `contact.name`, `contact.address`, `contact.<attribute>`, `channel.type`, `channel.name`,
 * `campaign.name` and `conversation.id`. Sections (`{{#name}}…{{/name}}`) work; values are data and
 * never templates, and unescaped tags, partials and delimiter changes are refused when the flow is
 * saved, so a customer's answer can never change what a template does.
 */
export type TemplateScope = Record<string, unknown>;

type Token = [type: string, value: string, start: number, end: number, children?: Token[]];

/** What is wrong with a template, in words (empty when it is usable). */
export function templateProblems(template: string): string[] {
  let tokens: Token[];
  try {
    tokens = Mustache.parse(template) as unknown as Token[];
  } catch (error) {
    return [`is not a valid template: ${(error as Error).message}`];
  }
  const problems: string[] = [];
  const walk = (list: Token[]) => {
    for (const [type, value, , , children] of list) {
      if (type === '&') problems.push(`{{{${value}}}} and {{&${value}}} are not allowed: write {{${value}}}`);
      else if (type === '>') problems.push(`partials ({{>${value}}}) are not supported`);
      else if (type === '=') problems.push('changing the {{ }} delimiters is not supported');
      if (children) walk(children);
    }
  };
  walk(tokens);
  return problems;
}

/** Renders with values as they are, escaped by `escape` (default: none, for message text). */
export function renderFlowTemplate(template: string, scope: TemplateScope, escape: (value: string) => string = (value) => value): string {
  return Mustache.render(template, withoutPrototype(scope), undefined, { escape: (value: unknown) => escape(String(value)) });
}

/** Nested objects without prototypes, so `{{constructor}}` or `{{x.toString}}` find nothing to call. */
function withoutPrototype(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const copy = Object.create(null) as Record<string, unknown>;
  for (const [key, inner] of Object.entries(value)) copy[key] = withoutPrototype(inner);
  return copy;
}
