import { describe, expect, it } from 'vitest';
import { httpGenericSecretsSchema, httpGenericSettingsSchema } from './http-generic-settings.ts';
import { jsonAggregatorSettings, legacyGetSettings } from './testing/example-providers.ts';
import { createAnswerReader, statusMatches } from './send-response.ts';

const issues = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.error?.issues.map((issue) => [issue.path.join('.'), issue.message]) ?? [];

const json = jsonAggregatorSettings;
const withSend = (send: Record<string, unknown>) => ({ ...json, send: { ...json.send, ...send } });
const withResponse = (response: Record<string, unknown>) => ({ ...json, response: { ...json.response, ...response } });

describe('http_generic settings: every error names its field', () => {
  it('checks the send templates: host, unescaped tags, unknown placeholders, JSON validity', () => {
    expect(issues(httpGenericSettingsSchema.safeParse(withSend({ url: 'https://{{secrets.host}}/sms' })))).toEqual([
      ['send.url', 'placeholders are allowed in the path and query string, not in the host'],
    ]);
    expect(issues(httpGenericSettingsSchema.safeParse(withSend({ url: 'ftp://files.test/sms' })))).toEqual([
      ['send.url', 'must be an http:// or https:// URL'],
    ]);
    expect(issues(httpGenericSettingsSchema.safeParse(withSend({ body: { messages: [{ text: '{{{text}}}', to: '{{phone}}' }] } })))).toEqual([
      ['send.body.messages.0.text', '{{{text}}} and {{&text}} are not allowed: use {{text}}, escaped for where it goes'],
      ['send.body.messages.0.to', 'unknown placeholder {{phone}}: use to, toDigits, toNational, from, text, messageId or secrets.<name>'],
    ]);
    expect(issues(httpGenericSettingsSchema.safeParse(withSend({ body: '{"to": "{{to}}", "text": {{text}}}' })))).toEqual([
      ['send.body', 'is not valid JSON once rendered: placeholders go inside quotes, such as "text": "{{text}}"'],
    ]);
    expect(issues(httpGenericSettingsSchema.safeParse(withSend({ body: '{"text": "{{#text}}"}' })))[0]).toEqual([
      'send.body',
      'is not a valid template: Unclosed section "text" at 21',
    ]);
    expect(issues(httpGenericSettingsSchema.safeParse(withSend({ headers: { 'Bad Header': 'x', 'X-Key': '{{> partial}}' } })))).toEqual([
      ['send.headers.X-Key', 'partials ({{>partial}}) are not supported'],
      ['send.headers.Bad Header', 'is not a valid HTTP header name'],
    ]);
  });

  it('checks that the method, body type and body agree', () => {
    expect(issues(httpGenericSettingsSchema.safeParse(withSend({ method: 'GET' })))).toEqual([
      ['send.bodyType', 'a GET request has no body: set bodyType to none and put the fields in the URL query string'],
    ]);
    expect(issues(httpGenericSettingsSchema.safeParse(withSend({ bodyType: 'none' })))).toEqual([
      ['send.body', 'bodyType is none: remove body or choose json or form'],
    ]);
    expect(issues(httpGenericSettingsSchema.safeParse(withSend({ body: undefined })))).toEqual([['send.body', 'required with bodyType json']]);
    expect(issues(httpGenericSettingsSchema.safeParse(withSend({ bodyType: 'form', body: { to: '{{to}}', list: ['a'] } })))).toEqual([
      ['send.body.list', 'form fields are text, numbers or booleans'],
    ]);
    expect(issues(httpGenericSettingsSchema.safeParse(withSend({ basicAuth: { username: 'u', password: '{{secrets.p}}' } })))).toEqual([
      ['send.headers', 'set either basicAuth or an Authorization header, not both'],
    ]);
    expect(issues(httpGenericSettingsSchema.safeParse({}))).toEqual([['send', 'required: how to send (url, method, headers, body)']]);
  });

  it('checks the response mapping: paths, regexes, statuses', () => {
    expect(
      issues(
        httpGenericSettingsSchema.safeParse(
          withResponse({
            messageId: { path: 'id', regex: 'x' },
            errorCode: { path: 'error[code]' },
            successWhen: { regex: '(' },
            retryableStatuses: ['6xx', 503],
          }),
        ),
      ),
    ).toEqual([
      ['response.successWhen.regex', expect.stringMatching(/^is not a regular expression: /)],
      ['response.messageId', 'set either path (a JSON path) or regex (on a text body)'],
      ['response.errorCode.path', 'is not a JSON path such as status or messages[0].id: unexpected "[code]" at position 5'],
      ['response.retryableStatuses.0', 'use a status such as 200, a class such as "5xx", or a range such as "200-299"'],
    ]);
  });

  it('checks the inbound mapping', () => {
    const inbound = legacyGetSettings.inbound;
    const bad = {
      ...legacyGetSettings,
      inbound: {
        ...inbound,
        verification: { type: 'token', in: 'cookie', name: 'token' },
        messages: { from: 'from', text: 'msg' },
        statusReports: { ...inbound.statusReports, map: { DELIVRD: 'done' } },
      },
    };
    expect(issues(httpGenericSettingsSchema.safeParse(bad))).toEqual([
      ['inbound.verification.in', 'Invalid option: expected one of "query"|"header"'],
      ['inbound.messages.id', 'map id, or at least timestamp (a message without an id is identified by a hash of from, to, text and timestamp)'],
      ['inbound.statusReports.map.DELIVRD', 'Invalid option: expected one of "sent"|"delivered"|"read"|"failed"'],
    ]);
  });

  it('secrets are named so templates can use them', () => {
    expect(issues(httpGenericSecretsSchema.safeParse({ 'api-key': 'k', apiKey: '' }))).toEqual([
      ['apiKey', 'must not be empty'],
      ['api-key', 'secret names are letters, digits and _ (used as {{secrets.<name>}})'],
    ]);
  });
});

describe('http_generic response mapping', () => {
  const settings = httpGenericSettingsSchema.parse(json).response;

  it('matches statuses, classes and ranges', () => {
    expect(statusMatches([201], 201)).toBe(true);
    expect(statusMatches(['2xx'], 299)).toBe(true);
    expect(statusMatches(['2xx'], 300)).toBe(false);
    expect(statusMatches(['200-202'], 202)).toBe(true);
    expect(statusMatches(['200-202'], 203)).toBe(false);
  });

  it('needs both the status and the condition for success; names a refusal without a mapped code', () => {
    const read = createAnswerReader({ ...settings, errorCode: undefined, errorMessage: undefined });
    expect(read({ status: 200, text: '{"status":"OK","messages":[{"messageId":7}]}' })).toEqual({ ok: true, providerMessageId: '7' });
    expect(read({ status: 202, text: '{"status":"QUEUED"}' })).toEqual({
      ok: false,
      errorCode: 'refused',
      errorMessage: 'HTTP 202: {"status":"QUEUED"}',
      retryable: false,
    });
    expect(read({ status: 404, text: '<html>\n Not   Found</html>' })).toEqual({
      ok: false,
      errorCode: 'http_404',
      errorMessage: 'HTTP 404: <html> Not Found</html>',
      retryable: false,
    });
    expect(read({ status: 408, text: '' })).toEqual({ ok: false, errorCode: 'http_408', errorMessage: 'HTTP 408', retryable: true });
    expect(read({ status: 502, text: 'Bad gateway' })).toMatchObject({ errorCode: 'http_502', retryable: true });
  });

  it('compares equals as text, tests presence without it, and reads a regex match without a group', () => {
    const numeric = createAnswerReader({ ...settings, successWhen: { path: 'code', equals: 0 }, messageId: { regex: '[a-f0-9]{8}' } });
    expect(numeric({ status: 200, text: '{"code":"0","ref":"id deadbeef"}' })).toEqual({ ok: true, providerMessageId: 'deadbeef' });
    expect(numeric({ status: 200, text: '{"code":1}' })).toMatchObject({ ok: false });
    const presence = createAnswerReader({ ...settings, successWhen: { path: 'messageId' }, messageId: { path: 'messageId' } });
    expect(presence({ status: 200, text: '{"messageId":"abc"}' })).toEqual({ ok: true, providerMessageId: 'abc' });
    expect(presence({ status: 200, text: '{"messageId":""}' })).toMatchObject({ ok: false });
    expect(presence({ status: 200, text: 'not json' })).toMatchObject({ ok: false });
  });
});
