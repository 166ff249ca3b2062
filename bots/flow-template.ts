import Mustache from 'mustache';
import { mustacheProblems } from '../gateway/http-generic/http-template.ts';

/**
 * `{{variables}}` in bot texts, notes and HTTP requests: the flow's variables by name, plus
 * `contact.name`, `contact.address`, `contact.<attribute>`, `channel.type`, `channel.name`,
 * `campaign.name` and `conversation.id`. Sections (`{{#name}}…{{/name}}`) work; values are data and
 * never templates, and unescaped tags, partials and delimiter changes are refused when the flow is
 * saved, so a customer's answer can never change what a template does.
 */
export type TemplateScope = Record<string, unknown>;

/** What is wrong with a template, in words (empty when it is usable). */
export const templateProblems = (template: string): string[] => mustacheProblems(template);

/** Renders with values as they are, escaped by `escapeValue` (default: none, for message text). */
export function renderFlowTemplate(template: string, scope: TemplateScope, escapeValue: (value: string) => string = (value) => value): string {
  return Mustache.render(template, withoutPrototype(scope), undefined, { escape: (value: unknown) => escapeValue(String(value)) });
}

/** Nested objects without prototypes, so `{{constructor}}` or `{{x.toString}}` find nothing to call. */
function withoutPrototype(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const copy = Object.create(null) as Record<string, unknown>;
  for (const [key, inner] of Object.entries(value)) copy[key] = withoutPrototype(inner);
  return copy;
}
