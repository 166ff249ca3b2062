import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingChannelDeps } from '../../test/harness/channel-deps.ts';
import type { ChannelRow, OutboundMessage } from '../channel.ts';
import { createHttpGenericChannel } from './http-generic-channel.ts';
import { httpGenericSettingsSchema } from './http-generic-settings.ts';
import { API_KEY, fakeAggregator, JSON_API_URL, LEGACY_API_URL, LEGACY_PASSWORD, LEGACY_USER } from './testing/fake-aggregator.ts';
import { jsonAggregatorSecrets, jsonAggregatorSettings, legacyGetSecrets, legacyGetSettings } from './testing/example-providers.ts';
import { messageView } from './send-request.ts';

/** Everything a template must carry unharmed: quotes, a line break, &, +, =, %, an emoji, and a {{tag}}. */
const NASTY = 'He said "hi"\nline 2 & 1+1=2 100% 😀 {{secrets.apiKey}} {{text}} \\ end';

let api: ReturnType<typeof fakeAggregator>;
beforeAll(() => {
  api = fakeAggregator();
});
afterAll(() => api.close());

const logLines: string[] = [];
const deps = recordingChannelDeps({ logger: pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) }) });

function channel(settings: Record<string, unknown>, secrets: Record<string, string>, address = '+59898344484') {
  const row: ChannelRow = {
    id: 7,
    type: 'http_generic',
    name: 'generic',
    address,
    defaultCountry: 'UY',
    settings,
    secrets,
    enabled: true,
    sendsPerSecond: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  };
  return createHttpGenericChannel(row, deps);
}
const message = (text: string, to = '+5491123456789'): OutboundMessage => ({ messageId: 41, to, text, media: [] });
const withSend = (base: typeof jsonAggregatorSettings | typeof legacyGetSettings, send: Record<string, unknown>, response: Record<string, unknown> = {}) => ({
  ...base,
  send: { ...base.send, ...send },
  response: { ...base.response, ...response },
});

describe('http_generic send: escaping for each target', () => {
  it('JSON object template: the text arrives exactly, and a {{tag}} in it is never rendered', async () => {
    const sent = api.nextSend();
    const result = await channel(jsonAggregatorSettings, jsonAggregatorSecrets).send(message(NASTY));
    const received = await sent;
    expect(result).toEqual({ ok: true, providerMessageId: received.providerMessageId });
    expect(received).toMatchObject({ to: '5491123456789', from: '+59898344484', text: NASTY, reference: '41' });
    expect(received.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(received.headers['content-type']).toContain('application/json');
    expect(received.rawBody).not.toContain(API_KEY);
  });

  it('JSON string template: values are JSON-string escaped, never HTML-escaped', async () => {
    const body = '{"messages":[{"from":"{{from}}","destinations":[{"to":"{{toDigits}}"}],"text":"{{text}}","reference":"{{messageId}}"}]}';
    const sent = api.nextSend();
    const result = await channel(withSend(jsonAggregatorSettings, { body }), jsonAggregatorSecrets).send(message(NASTY));
    const received = await sent;
    expect(result.ok).toBe(true);
    expect(received.text).toBe(NASTY);
    expect(received.rawBody).toContain('He said \\"hi\\"\\nline 2 & 1+1=2');
    expect(received.rawBody).not.toContain('&quot;');
    expect(received.rawBody).not.toContain(API_KEY);
  });

  it('GET query string: values are URL-encoded (& + = % and spaces), credentials included', async () => {
    const sent = api.nextSend();
    const result = await channel(legacyGetSettings, legacyGetSecrets).send(message(NASTY));
    const received = await sent;
    expect(result).toEqual({ ok: true, providerMessageId: received.providerMessageId });
    expect(received).toMatchObject({ to: '5491123456789', from: '+59898344484', text: NASTY, reference: '41' });
    expect(received.rawUrl).toContain('text=He%20said%20%22hi%22%0Aline%202%20%26%201%2B1%3D2%20100%25%20');
    expect(received.rawUrl).toContain('%7B%7Bsecrets.apiKey%7D%7D');
  });

  it('form body, as an object of fields or as a string template, arrives exactly', async () => {
    const fields = { user: '{{secrets.username}}', pass: '{{secrets.password}}', to: '{{toDigits}}', from: '{{from}}', text: '{{text}}', ref: '{{messageId}}' };
    const asString = 'user={{secrets.username}}&pass={{secrets.password}}&to={{toDigits}}&from={{from}}&text={{text}}&ref={{messageId}}';
    for (const body of [fields, asString]) {
      const sent = api.nextSend();
      const result = await channel(withSend(legacyGetSettings, { url: LEGACY_API_URL, method: 'POST', bodyType: 'form', body }), legacyGetSecrets).send(
        message(NASTY),
      );
      const received = await sent;
      expect(result.ok).toBe(true);
      expect(received).toMatchObject({ text: NASTY, to: '5491123456789' });
      expect(received.headers['content-type']).toContain('application/x-www-form-urlencoded');
      expect(received.rawBody).not.toMatch(/[ "\n]/); // every value encoded
    }
  });

  it('Basic auth is sent as an Authorization header', async () => {
    const sent = api.nextSend();
    const settings = withSend(legacyGetSettings, {
      url: LEGACY_API_URL,
      method: 'POST',
      bodyType: 'form',
      body: { to: '{{toDigits}}', text: '{{text}}' },
      basicAuth: { username: '{{secrets.username}}', password: '{{secrets.password}}' },
    });
    expect((await channel(settings, legacyGetSecrets).send(message('hi'))).ok).toBe(true);
    expect((await sent).headers.authorization).toBe(`Basic ${Buffer.from(`${LEGACY_USER}:${LEGACY_PASSWORD}`).toString('base64')}`);
  });

  it('offers the number as E.164, international digits and national digits', () => {
    expect(messageView(message('x', '+5491123456789'), '+59898344484', {})).toMatchObject({
      to: '+5491123456789',
      toDigits: '5491123456789',
      toNational: '0111523456789',
    });
    expect(messageView(message('x', '+59898344484'), '', {})).toMatchObject({ toDigits: '59898344484', toNational: '098344484' });
  });

  it('refuses a value with a line break in a header instead of sending it', async () => {
    const settings = withSend(jsonAggregatorSettings, { headers: { Authorization: 'Bearer {{secrets.apiKey}}', 'X-Text': '{{text}}' } });
    expect(await channel(settings, jsonAggregatorSecrets).send(message('two\nlines'))).toEqual({
      ok: false,
      errorCode: 'template',
      errorMessage: 'a header value cannot contain a line break',
      retryable: false,
    });
  });
});

describe('http_generic send: reading the answer', () => {
  const json = () => channel(jsonAggregatorSettings, jsonAggregatorSecrets);
  const legacy = () => channel(legacyGetSettings, legacyGetSecrets);

  it('maps a JSON refusal to its code and text, permanent on 4xx and also when the provider answers 200', async () => {
    api.failNext({ code: '21610', message: 'Attempt to send to unsubscribed recipient' });
    expect(await json().send(message('a'))).toEqual({
      ok: false,
      errorCode: '21610',
      errorMessage: 'Attempt to send to unsubscribed recipient',
      retryable: false,
    });
    api.failNext({ status: 200, code: '21211', message: 'Invalid To number' });
    expect(await json().send(message('a'))).toEqual({ ok: false, errorCode: '21211', errorMessage: 'Invalid To number', retryable: false });
    expect(await channel(jsonAggregatorSettings, { ...jsonAggregatorSecrets, apiKey: 'not-the-key' }).send(message('a'))).toMatchObject({
      ok: false,
      errorCode: 'UNAUTHORIZED',
      retryable: false,
    });
  });

  it('retries throttling, 5xx and listed provider codes; a listed permanent code wins over a 5xx', async () => {
    api.failNext({ status: 429, code: 'RATE', message: 'Too many requests' });
    expect(await json().send(message('a'))).toMatchObject({ ok: false, errorCode: 'RATE', retryable: true });
    api.failNext({ status: 503, code: 'UNAVAILABLE', message: 'down for maintenance' });
    expect(await json().send(message('a'))).toMatchObject({ ok: false, errorCode: 'UNAVAILABLE', retryable: true });
    api.failNext({ status: 400, code: 'THROTTLED', message: 'slow down' });
    expect(await json().send(message('a'))).toMatchObject({ ok: false, errorCode: 'THROTTLED', retryable: true });
    api.failNext({ status: 500, code: 'BLACKLISTED', message: 'number is blacklisted' });
    const strict = channel(withSend(jsonAggregatorSettings, {}, { permanentErrorCodes: ['BLACKLISTED'] }), jsonAggregatorSecrets);
    expect(await strict.send(message('a'))).toMatchObject({ ok: false, errorCode: 'BLACKLISTED', retryable: false });
  });

  it('reads a legacy text answer: OK:<id> is the id, ERR:<code>:<text> the refusal', async () => {
    const ok = await legacy().send(message('hello'));
    expect(ok).toMatchObject({ ok: true, providerMessageId: expect.stringMatching(/^\d+$/) });
    expect(await legacy().send(message('hello', '+12'))).toEqual({ ok: false, errorCode: '21', errorMessage: 'invalid number', retryable: false });
    api.failNext({ code: 'BUSY', message: 'all ports busy' });
    expect(await legacy().send(message('hello'))).toEqual({ ok: false, errorCode: 'BUSY', errorMessage: 'all ports busy', retryable: true });
    api.failNext({ status: 500, code: '99', message: 'internal error' });
    expect(await legacy().send(message('hello'))).toMatchObject({ ok: false, errorCode: '99', retryable: true });
  });

  it('a dropped connection and a timeout are retryable', async () => {
    api.failNext({ network: true });
    expect(await json().send(message('a'))).toMatchObject({ ok: false, errorCode: 'network', retryable: true });
    const release = api.stallUntilReleased();
    try {
      const slow = channel(withSend(jsonAggregatorSettings, { timeoutMs: 200 }), jsonAggregatorSecrets);
      expect(await slow.send(message('a'))).toEqual({ ok: false, errorCode: 'timeout', errorMessage: 'no answer within 200 ms', retryable: true });
    } finally {
      release();
    }
  });

  it('without a message id mapping, the id is our own reference (sent as {{messageId}})', async () => {
    const { messageId: _omitted, ...response } = legacyGetSettings.response;
    const result = await channel({ ...legacyGetSettings, response }, legacyGetSecrets).send(message('a'));
    expect(result).toEqual({ ok: true, providerMessageId: '41' });
  });
});

describe('http_generic send: secrets stay secret', () => {
  it('redacts credentials a provider echoes back, in the stored error and in the logs', async () => {
    const wrong = 'Wr0ng pass+word&x';
    logLines.length = 0;
    const result = await channel(legacyGetSettings, { ...legacyGetSecrets, password: wrong }).send(message('a'));
    expect(result).toMatchObject({ ok: false, errorCode: '401', retryable: false });
    const stored = JSON.stringify(result);
    expect(stored).toContain('bad credentials in http://legacy-sms.test/cgi-bin/sendsms?user=[redacted]&pass=[redacted]&to=');
    const logs = logLines.join('\n');
    expect(logs).toContain('http_generic send failed');
    for (const form of [wrong, encodeURIComponent(wrong), 'Wr0ng']) {
      expect(stored).not.toContain(form);
      expect(logs).not.toContain(form);
    }
  });

  it('names a missing secret without sending, and never prints a secret in a network error', async () => {
    logLines.length = 0;
    const { apiKey: _missing, ...secrets } = jsonAggregatorSecrets;
    expect(await channel(jsonAggregatorSettings, secrets).send(message('a'))).toEqual({
      ok: false,
      errorCode: 'config',
      errorMessage: 'secrets not set: apiKey',
      retryable: false,
    });
    api.failNext({ network: true });
    const keyInUrl = withSend(jsonAggregatorSettings, { url: `${JSON_API_URL}?key={{secrets.apiKey}}` });
    const result = await channel(keyInUrl, jsonAggregatorSecrets).send(message('a'));
    expect(result).toMatchObject({ ok: false, errorCode: 'network' });
    expect(JSON.stringify(result) + logLines.join('\n')).not.toContain(API_KEY);
  });

  it('the example settings are valid and stable when saved again', () => {
    for (const settings of [jsonAggregatorSettings, legacyGetSettings]) {
      const once = httpGenericSettingsSchema.parse(settings);
      expect(httpGenericSettingsSchema.parse(once)).toEqual(once);
    }
  });
});
