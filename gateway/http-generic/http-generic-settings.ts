import { z } from 'zod';
import type { ChannelSchemas } from '../channel-schemas.ts';
import { parseJsonPath } from './json-path.ts';
import { ESCAPES, isSecretName, renderTemplate, secretsUsedBy, templateProblems, templateView } from './http-template.ts';

/**
 * A generic HTTP SMS provider described entirely as data: how to send (URL, method, headers, body
 * templates), how to read the answer, and how to read its webhooks. Every rule is checked here so an
 * admin sees the field at fault when saving, not a failed send later.
 */

/** A mustache template (see http-template.ts), its problems reported on the field. */
const template = z.string().superRefine((value, ctx) => {
  for (const message of templateProblems(value)) ctx.addIssue({ code: 'custom', message });
});

const jsonPath = z.string().superRefine((value, ctx) => {
  try {
    parseJsonPath(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `is not a JSON path such as status or messages[0].id: ${(error as Error).message}` });
  }
});

const regexSource = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    try {
      new RegExp(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `is not a regular expression: ${(error as Error).message}` });
    }
  });

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** Where a value is in the provider's answer: a JSON path, or a regex on a text body (group 1, else the match). */
const extractorSchema = z
  .object({
    path: jsonPath.optional(),
    regex: regexSource.optional(),
    flags: z
      .string()
      .regex(/^[imsu]*$/, 'regex flags are among i, m, s, u')
      .optional(),
  })
  .strict()
  .refine((value) => (value.path === undefined) !== (value.regex === undefined), { message: 'set either path (a JSON path) or regex (on a text body)' });

/** A test on the answer: the path's value equals `equals` (compared as text), or is present without it; or the regex matches. */
const conditionSchema = z
  .object({
    path: jsonPath.optional(),
    equals: scalar.optional(),
    regex: regexSource.optional(),
    flags: z
      .string()
      .regex(/^[imsu]*$/)
      .optional(),
  })
  .strict()
  .refine((value) => (value.path === undefined) !== (value.regex === undefined), { message: 'set either path (with optional equals) or regex' })
  .refine((value) => value.regex === undefined || value.equals === undefined, { message: 'equals goes with path, not with regex', path: ['equals'] });

/** An HTTP status (201), a class ("5xx") or a range ("200-299"). */
const statusPattern = z.union([
  z.int().min(100).max(599),
  z.string().regex(/^([1-5]xx|[1-5]\d\d-[1-5]\d\d)$/, 'use a status such as 200, a class such as "5xx", or a range such as "200-299"'),
]);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headerName = z.string().regex(HEADER_NAME, 'is not a valid HTTP header name');
const secretName = z.string().refine(isSecretName, 'secret names are letters, digits and _');

/** A record whose keys are checked here, so the issue names the key with our message (zod's says "Invalid key in record"). */
function recordOf<T extends z.ZodType>(value: T, keyIsValid: (key: string) => boolean, keyMessage: string) {
  return z.record(z.string(), value).superRefine((record, ctx) => {
    for (const key of Object.keys(record)) if (!keyIsValid(key)) ctx.addIssue({ code: 'custom', path: [key], message: keyMessage });
  });
}

/** Nasty values for a trial render: what must survive every escape. */
function probeView(templates: string[]) {
  const secrets = Object.fromEntries(templates.flatMap(secretsUsedBy).map((name) => [name, 's"e&c+r=e t/']));
  const text = 'q"uote\\ new\nline & + = % {{x}} 😀';
  return templateView({ to: '+5491123456789', toDigits: '5491123456789', toNational: '01115234567', from: '+59898344484', text, messageId: '1' }, secrets);
}

const sendSchema = z
  .object(
    {
      url: template,
      method: z.enum(['GET', 'POST', 'PUT']).default('POST'),
      headers: recordOf(template, (name) => HEADER_NAME.test(name), 'is not a valid HTTP header name').default({}),
      bodyType: z.enum(['json', 'form', 'none']).default('json'),
      /** A string template (escaped for the body type) or a JSON object/array whose string leaves are templates. */
      body: z.union([z.string(), z.array(z.json()), z.record(z.string(), z.json())]).optional(),
      timeoutMs: z.int().min(100).max(120_000).default(15_000),
      basicAuth: z.object({ username: template, password: template }).strict().optional(),
    },
    { error: (issue) => (issue.input === undefined ? 'required: how to send (url, method, headers, body)' : undefined) },
  )
  .strict()
  .superRefine((send, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    // The scheme and host are fixed text: a value must never choose where the request goes.
    const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(send.url)?.[0] ?? '';
    if (origin.includes('{{')) issue(['url'], 'placeholders are allowed in the path and query string, not in the host');
    else if (templateProblems(send.url).length === 0) {
      try {
        const url = new URL(renderTemplate(send.url, probeView([send.url]), ESCAPES.url));
        if (url.protocol !== 'http:' && url.protocol !== 'https:') issue(['url'], 'must be an http:// or https:// URL');
        if (url.username || url.password) issue(['url'], 'must not hold credentials: use basicAuth or a header');
      } catch {
        issue(['url'], 'must be an absolute http(s) URL');
      }
    }
    if (send.method === 'GET' && send.bodyType !== 'none')
      issue(['bodyType'], 'a GET request has no body: set bodyType to none and put the fields in the URL query string');
    if (send.bodyType === 'none' && send.body !== undefined) issue(['body'], 'bodyType is none: remove body or choose json or form');
    if (send.bodyType !== 'none' && send.body === undefined) issue(['body'], `required with bodyType ${send.bodyType}`);
    if (send.basicAuth && Object.keys(send.headers).some((name) => name.toLowerCase() === 'authorization')) {
      issue(['headers'], 'set either basicAuth or an Authorization header, not both');
    }
    if (send.body === undefined || send.bodyType === 'none') return;
    if (typeof send.body === 'string') {
      for (const message of templateProblems(send.body)) issue(['body'], message);
      if (send.bodyType === 'json' && templateProblems(send.body).length === 0) {
        try {
          JSON.parse(renderTemplate(send.body, probeView([send.body]), ESCAPES.json));
        } catch {
          issue(['body'], 'is not valid JSON once rendered: placeholders go inside quotes, such as "text": "{{text}}"');
        }
      }
      return;
    }
    if (send.bodyType === 'form' && Array.isArray(send.body)) return issue(['body'], 'a form body is an object of field names and values');
    const walk = (value: unknown, path: (string | number)[]) => {
      if (typeof value === 'string') for (const message of templateProblems(value)) issue(path, message);
      else if (Array.isArray(value)) {
        value.forEach((item, index) => {
          walk(item, [...path, index]);
        });
      } else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
    };
    for (const [key, value] of Object.entries(send.body)) {
      if (send.bodyType === 'form' && (value === null || typeof value === 'object')) issue(['body', key], 'form fields are text, numbers or booleans');
      else walk(value, ['body', key]);
    }
  });

const responseSchema = z
  .object({
    successStatuses: z.array(statusPattern).min(1).default(['2xx']),
    /** Also required for success, for providers that answer 200 to a refusal. */
    successWhen: conditionSchema.optional(),
    /** Absent, the provider id is our own message id (send it as `{{messageId}}` for reports to quote); unreadable in an answer, `local:<our id>`. */
    messageId: extractorSchema.optional(),
    errorCode: extractorSchema.optional(),
    errorMessage: extractorSchema.optional(),
    retryableStatuses: z.array(statusPattern).default([408, 429, '5xx']),
    /** Provider codes that a retry can cure, whatever the HTTP status. */
    retryableErrorCodes: z.array(z.string()).default([]),
    /** Provider codes that no retry cures, even on a retryable status. */
    permanentErrorCodes: z.array(z.string()).default([]),
  })
  .strict();

const verificationSchema = z.discriminatedUnion('type', [
  /** A shared secret the provider sends as a query parameter or a header. */
  z.object({ type: z.literal('token'), in: z.enum(['query', 'header']), name: z.string().min(1), secret: secretName.default('webhookSecret') }).strict(),
  /** HMAC-SHA256 of the raw body, keyed with the secret, in a header (optionally after a prefix such as "sha256="). */
  z
    .object({
      type: z.literal('hmac_sha256'),
      header: headerName,
      encoding: z.enum(['hex', 'base64']).default('hex'),
      prefix: z.string().default(''),
      secret: secretName.default('webhookSecret'),
    })
    .strict(),
]);

const statusValue = z.enum(['sent', 'delivered', 'read', 'failed']);

const inboundSchema = z
  .object({
    verification: verificationSchema,
    /** Old gateways deliver with GET and a query string: accept such a GET as a webhook call. */
    acceptGet: z.boolean().default(false),
    /** What the provider expects back (`OK`, `ACK`…); absent, JSON `{ "ok": true }`. */
    answer: z
      .object({ contentType: z.string().min(3).max(100).default('text/plain'), body: z.string().max(500) })
      .strict()
      .optional(),
    /** The list of items when one call carries several (`results`); absent, the body is one item. */
    itemsPath: jsonPath.optional(),
    /** The provider writes international numbers without the leading + (5491123456789). */
    numbersWithoutPlus: z.boolean().default(false),
    messages: z
      .object({ from: jsonPath, to: jsonPath.optional(), text: jsonPath, id: jsonPath.optional(), timestamp: jsonPath.optional() })
      .strict()
      .refine((fields) => fields.id !== undefined || fields.timestamp !== undefined, {
        message: 'map id, or at least timestamp (a message without an id is identified by a hash of from, to, text and timestamp)',
        path: ['id'],
      })
      .optional(),
    statusReports: z
      .object({
        /** Which items are delivery reports: this path present (or equal to `equals`). */
        when: z.object({ path: jsonPath, equals: scalar.optional() }).strict(),
        id: jsonPath,
        status: jsonPath,
        /** Provider status → ours; matched without regard to case; unmapped values (queued, accepted…) are ignored. */
        map: z.record(z.string().min(1), statusValue).refine((map) => Object.keys(map).length > 0, 'map at least one provider status'),
        errorCode: jsonPath.optional(),
        errorMessage: jsonPath.optional(),
        timestamp: jsonPath.optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((inbound) => inbound.messages || inbound.statusReports, { message: 'map messages, statusReports or both', path: ['messages'] });

export const httpGenericSettingsSchema = z
  .object({
    send: sendSchema,
    response: responseSchema.prefault({}),
    /** Absent, the channel only sends and its webhook refuses every call. */
    inbound: inboundSchema.optional(),
  })
  .strict();

/** Named secrets, used as `{{secrets.<name>}}` and by the webhook check (`webhookSecret` by default). */
export const httpGenericSecretsSchema = recordOf(
  z.string().min(1, 'must not be empty'),
  isSecretName,
  'secret names are letters, digits and _ (used as {{secrets.<name>}})',
);

export type HttpGenericSettings = z.infer<typeof httpGenericSettingsSchema>;
export type SendSettings = HttpGenericSettings['send'];
export type ResponseSettings = HttpGenericSettings['response'];
export type InboundSettings = NonNullable<HttpGenericSettings['inbound']>;
export type Extractor = z.infer<typeof extractorSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type StatusPattern = z.infer<typeof statusPattern>;

/** Every template of the send settings, to find the secrets they read. */
function sendTemplates(send: SendSettings): string[] {
  const strings: string[] = [send.url, ...Object.values(send.headers)];
  if (send.basicAuth) strings.push(send.basicAuth.username, send.basicAuth.password);
  const walk = (value: unknown) => {
    if (typeof value === 'string') strings.push(value);
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(send.body);
  return strings;
}

/** Secrets the send templates read that are not set. */
export function sendSecretsMissing(settings: HttpGenericSettings, secrets: Record<string, string | undefined>): string[] {
  return [...new Set(sendTemplates(settings.send).flatMap(secretsUsedBy))].filter((name) => secrets[name] === undefined);
}

export const httpGenericChannelSchemas: ChannelSchemas = {
  settings: httpGenericSettingsSchema,
  secrets: httpGenericSecretsSchema,
  // Caught when the channel is saved rather than at its first send.
  check(settings, secrets) {
    const parsed = settings as HttpGenericSettings;
    const issues = sendSecretsMissing(parsed, secrets).map((name) => ({ path: `secrets.${name}`, message: 'used by the send settings but not set' }));
    const webhookSecret = parsed.inbound?.verification.secret;
    if (webhookSecret && secrets[webhookSecret] === undefined) issues.push({ path: `secrets.${webhookSecret}`, message: 'verifies webhooks but is not set' });
    return issues;
  },
};
