import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { recordingChannelDeps } from '../../test/harness/channel-deps.ts';
import { InvalidPayloadError, type ChannelRow, type WebhookRequest } from '../channel.ts';
import { createHttpGenericChannel } from './http-generic-channel.ts';
import { jsonAggregatorSecrets, jsonAggregatorSettings, legacyGetSecrets, legacyGetSettings, WEBHOOK_SECRET } from './testing/example-providers.ts';
import { jsonWebhookCall, legacyWebhookCall } from './testing/http-generic-fixture.ts';
import { parseProviderTime } from './webhook-normalize.ts';

function channel(settings: Record<string, unknown>, secrets: Record<string, string>) {
  const row: ChannelRow = {
    id: 9,
    type: 'http_generic',
    name: 'generic',
    address: '+59898344484',
    defaultCountry: 'UY',
    settings,
    secrets,
    enabled: true,
    sendsPerSecond: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  };
  return createHttpGenericChannel(row, recordingChannelDeps());
}

/** A request as the webhook route hands it over: raw bytes, lower-case headers, body parsed by type. */
function request(call: { headers: Record<string, string>; body: string }, query: Record<string, string> = {}): WebhookRequest {
  const type = call.headers['content-type'] ?? '';
  const body = type.includes('json') ? JSON.parse(call.body) : type.includes('form') ? Object.fromEntries(new URLSearchParams(call.body)) : undefined;
  const headers = Object.fromEntries(Object.entries(call.headers).map(([name, value]) => [name.toLowerCase(), value]));
  return { url: 'https://chat.example.com/webhooks/9', method: 'POST', headers, query, rawBody: Buffer.from(call.body), body };
}

const json = channel(jsonAggregatorSettings, jsonAggregatorSecrets);
const legacy = channel(legacyGetSettings, legacyGetSecrets);
const withInbound = (base: typeof jsonAggregatorSettings | typeof legacyGetSettings, inbound: Record<string, unknown>) => ({
  ...base,
  inbound: { ...base.inbound, ...inbound },
});

describe('http_generic webhook verification', () => {
  const results = [{ messageId: 'm1', from: '5491123456789', text: 'hola' }];

  it('HMAC-SHA256 of the exact body: valid hex passes (any case); wrong key, altered body, bad format fail', () => {
    const call = jsonWebhookCall(results);
    expect(json.verify(request(call))).toBe(true);
    const upper = `sha256=${call.headers['x-quality-signature']!.slice(7).toUpperCase()}`;
    expect(json.verify(request({ ...call, headers: { ...call.headers, 'x-quality-signature': upper } }))).toBe(true);
    expect(json.verify(request(jsonWebhookCall(results, 'another-secret')))).toBe(false);
    expect(json.verify(request({ ...call, body: call.body.replace('hola', 'hol4') }))).toBe(false);
    expect(json.verify(request({ ...call, headers: { ...call.headers, 'x-quality-signature': `${call.headers['x-quality-signature']}00` } }))).toBe(false);
    expect(json.verify(request({ ...call, headers: { ...call.headers, 'x-quality-signature': call.headers['x-quality-signature']!.slice(7) } }))).toBe(false); // no prefix
    expect(json.verify(request({ headers: { 'content-type': 'application/json' }, body: call.body }))).toBe(false);
  });

  it('HMAC in base64 without a prefix', () => {
    const base64 = channel(
      withInbound(jsonAggregatorSettings, { verification: { type: 'hmac_sha256', header: 'X-Signature', encoding: 'base64' } }),
      jsonAggregatorSecrets,
    );
    const body = JSON.stringify({ results });
    const signature = createHmac('sha256', WEBHOOK_SECRET).update(body).digest('base64');
    expect(base64.verify(request({ headers: { 'content-type': 'application/json', 'x-signature': signature }, body }))).toBe(true);
    expect(
      base64.verify(request({ headers: { 'content-type': 'application/json', 'x-signature': createHmac('sha256', 'x').update(body).digest('base64') }, body })),
    ).toBe(false);
  });

  it('a token in the query string or in a header, compared whole', () => {
    const form = { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'from=5491123456789&msg=hi&smsid=1' };
    expect(legacy.verify(request(form, { token: WEBHOOK_SECRET }))).toBe(true);
    expect(legacy.verify(request(form, { token: WEBHOOK_SECRET.slice(0, -1) }))).toBe(false);
    expect(legacy.verify(request(form, { token: `${WEBHOOK_SECRET}x` }))).toBe(false);
    expect(legacy.verify(request(form, { token: '' }))).toBe(false);
    expect(legacy.verify(request(form))).toBe(false);
    expect(legacy.verify(request({ ...form, headers: { ...form.headers, token: WEBHOOK_SECRET } }))).toBe(false); // wrong place
    const header = channel(withInbound(legacyGetSettings, { verification: { type: 'token', in: 'header', name: 'X-Api-Token' } }), legacyGetSecrets);
    expect(header.verify(request(legacyWebhookCall({ smsid: '1' })))).toBe(true);
    expect(header.verify(request(legacyWebhookCall({ smsid: '1' }, 'guess')))).toBe(false);
  });

  it('refuses everything when the secret is not set or the channel has no inbound mapping', () => {
    const { webhookSecret: _unset, ...secrets } = legacyGetSecrets;
    const form = { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'from=1' };
    expect(channel(legacyGetSettings, secrets).verify(request(form, { token: WEBHOOK_SECRET }))).toBe(false);
    const { inbound: _none, ...sendOnly } = legacyGetSettings;
    expect(channel(sendOnly, legacyGetSecrets).verify(request(form, { token: WEBHOOK_SECRET }))).toBe(false);
  });
});

describe('http_generic webhook content', () => {
  it('maps a JSON batch: messages and delivery reports side by side, reports mapped by status', () => {
    const content = json.normalize(
      request(
        jsonWebhookCall([
          { messageId: 'in-1', from: '5491123456789', to: '59898344484', text: 'Hola "amigo" & más 👍', receivedAt: '2019-11-09T16:00:00.000+0000' },
          { messageId: 'q-1', status: { groupName: 'DELIVERED' }, error: { id: 0, description: 'No Error' }, doneAt: '2019-11-09T16:00:05.000+0000' },
          { messageId: 'q-2', status: { groupName: 'UNDELIVERABLE' }, error: { id: 5, description: 'Absent subscriber' } },
          { messageId: 'q-3', status: { groupName: 'PENDING' } },
        ]),
      ),
    );
    expect(content.messages).toEqual([
      {
        channelId: 9,
        from: '+5491123456789',
        to: '+59898344484',
        text: 'Hola "amigo" & más 👍',
        media: [],
        providerMessageId: 'in-1',
        timestamp: new Date('2019-11-09T16:00:00Z'),
        metadata: { provider: 'http_generic' },
      },
    ]);
    expect(content.statuses).toEqual([
      { providerMessageId: 'q-1', status: 'delivered', errorCode: undefined, errorMessage: undefined, at: new Date('2019-11-09T16:00:05Z') },
      { providerMessageId: 'q-2', status: 'failed', errorCode: '5', errorMessage: 'Absent subscriber', at: expect.any(Date) },
    ]);
  });

  it('maps a form message and form reports (status matched without regard to case; unmapped ones ignored)', () => {
    const form = (fields: Record<string, string>) => request(legacyWebhookCall(fields));
    const inbound = legacy.normalize(form({ from: '5491123456789', msg: 'a+b=c & d', smsid: '777', time: '1700000000' }));
    expect(inbound.messages[0]).toMatchObject({
      from: '+5491123456789',
      to: '+59898344484',
      text: 'a+b=c & d',
      providerMessageId: '777',
      timestamp: new Date(1_700_000_000_000),
    });
    expect(legacy.normalize(form({ type: 'dlr', smsid: '12345', status: 'delivrd', err: '000' })).statuses).toEqual([
      { providerMessageId: '12345', status: 'delivered', errorCode: undefined, errorMessage: undefined, at: expect.any(Date) },
    ]);
    expect(legacy.normalize(form({ type: 'dlr', smsid: '12345', status: 'UNDELIV', err: '034' })).statuses[0]).toMatchObject({
      status: 'failed',
      errorCode: '034',
      errorMessage: 'Provider error 034',
    });
    expect(legacy.normalize(form({ type: 'dlr', smsid: '12345', status: 'ACCEPTD' }))).toEqual({ messages: [], statuses: [] });
  });

  it('reads fields from the query string when the provider puts them in the URL', () => {
    const content = legacy.normalize({
      ...request({ headers: {}, body: '' }),
      query: { token: WEBHOOK_SECRET, from: '5491123456789', msg: 'hi', smsid: 'q1' },
    });
    expect(content.messages[0]).toMatchObject({ from: '+5491123456789', text: 'hi', providerMessageId: 'q1' });
  });

  it('without a provider id, a redelivery hashes to the same id and a new timestamp to another', () => {
    const noId = channel(withInbound(legacyGetSettings, { messages: { from: 'from', text: 'msg', timestamp: 'time' } }), legacyGetSecrets);
    const deliver = (time: string) => noId.normalize(request(legacyWebhookCall({ from: '5491123456789', msg: 'yes', time }))).messages[0]!;
    const first = deliver('1700000000');
    expect(first.providerMessageId).toMatch(/^sha256:[0-9a-f]{40}$/);
    expect(first.metadata).toEqual({ provider: 'http_generic', idSource: 'hash' });
    expect(deliver('1700000000').providerMessageId).toBe(first.providerMessageId);
    expect(deliver('1700000060').providerMessageId).not.toBe(first.providerMessageId);
  });

  it('refuses a message without a sender, and a batch that is not a list', () => {
    expect(() => legacy.normalize(request(legacyWebhookCall({ msg: 'hi', smsid: '1' })))).toThrow(InvalidPayloadError);
    expect(() => json.normalize(request({ headers: { 'content-type': 'application/json' }, body: '{"results":{}}' }))).toThrow('expected a list at results');
  });

  it('reads provider times: epoch seconds or ms, ISO with any offset, zoneless as UTC, garbage as now', () => {
    const now = new Date('2025-01-01T00:00:00Z');
    expect(parseProviderTime('1700000000', now)).toEqual(new Date(1_700_000_000_000));
    expect(parseProviderTime('1700000000123', now)).toEqual(new Date(1_700_000_000_123));
    expect(parseProviderTime('2024-05-01T10:20:30-03:00', now)).toEqual(new Date('2024-05-01T13:20:30Z'));
    expect(parseProviderTime('2024-05-01 10:20:30', now)).toEqual(new Date('2024-05-01T10:20:30Z'));
    expect(parseProviderTime('yesterday', now)).toBe(now);
    expect(parseProviderTime(undefined, now)).toBe(now);
  });
});
