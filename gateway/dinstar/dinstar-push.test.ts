import { describe, expect, it } from 'vitest';
import { recordingChannelDeps } from '../../test/harness/channel-deps.ts';
import { InvalidPayloadError, type WebhookRequest } from '../channel.ts';
import { createDinstarChannel } from './dinstar-channel.ts';
import { dinstarPush, dinstarRow, PUSH_TOKEN } from './testing/dinstar-fixture.ts';
import { formatGatewayTime, parseGatewayTime } from './gateway-time.ts';

const deps = recordingChannelDeps();
const request = (overrides: Partial<WebhookRequest>): WebhookRequest => ({
  url: '',
  method: 'POST',
  headers: {},
  query: {},
  rawBody: Buffer.alloc(0),
  body: undefined,
  ...overrides,
});
const fromCall = (call: { headers: Record<string, string>; body: string }) =>
  request({ headers: call.headers, rawBody: Buffer.from(call.body), body: JSON.parse(call.body) });

describe('Dinstar push mode', () => {
  it('accepts the push token as ?token= or as Basic password, and refuses anything else', () => {
    const channel = createDinstarChannel(dinstarRow(), deps);
    expect(channel.verify(request({ query: { token: PUSH_TOKEN } }))).toBe(true);
    expect(channel.verify(fromCall(dinstarPush({ sms: [] })))).toBe(true);
    expect(channel.verify(request({ query: { token: 'not-the-token-of-this-channel' } }))).toBe(false);
    expect(channel.verify(fromCall(dinstarPush({ sms: [] }, 'not-the-token-of-this-channel')))).toBe(false);
    expect(channel.verify(request({}))).toBe(false);
    // Without a push token configured, no push is believed.
    const row = dinstarRow();
    const polling = createDinstarChannel({ ...row, secrets: { password: row.secrets.password! } }, deps);
    expect(polling.verify(request({ query: { token: PUSH_TOKEN } }))).toBe(false);
  });

  it('normalizes pushed SMS like polled ones, results that name our user_id, and ignores the rest', () => {
    const row = dinstarRow({ gatewayTimeZone: 'America/Montevideo' });
    const channel = createDinstarChannel(row, deps);
    const body = {
      sn: 'gw-9',
      sms: [{ incoming_sms_id: 41, port: 1, number: 'Antel', smsc: '+59894000900', timestamp: '2025-03-01 09:15:00', text: 'Su saldo es $100' }],
      sms_result: [
        { port: 1, user_id: 77, number: '+59899123456', time: '2025-03-01 09:14:00', status: 'DELIVERED', count: 1, succ_count: 1, ref_id: 3 },
        { port: 1, number: '10086', time: '2025-03-01 09:14:00', status: 'DELIVERED', count: 1, succ_count: 1, ref_id: 4 }, // not ours: no user_id
        { port: 1, user_id: 78, status: 'SENDING' },
      ],
    };
    const content = channel.normalize(request({ body, rawBody: Buffer.from(JSON.stringify(body)) }));
    expect(content.messages).toEqual([
      {
        channelId: row.id,
        from: 'Antel',
        to: 'port 1',
        text: 'Su saldo es $100',
        media: [],
        providerMessageId: 'gw-9:41:20250301091500',
        timestamp: new Date('2025-03-01T12:15:00Z'),
        metadata: { provider: 'dinstar', port: 1, gateway: 'gw-9', smsc: '+59894000900' },
      },
    ]);
    expect(content.statuses).toEqual([{ providerMessageId: '77', status: 'delivered', at: expect.any(Date) }]);
    // A push without the JSON content type is still read from its bytes; register pushes carry nothing for us.
    const register = JSON.stringify({ sn: 'gw-9', register: [{ port: 8, status: 'up' }] });
    expect(channel.normalize(request({ rawBody: Buffer.from(register) }))).toEqual({ messages: [], statuses: [] });
    expect(() => channel.normalize(request({ rawBody: Buffer.from('sms=hello') }))).toThrow(InvalidPayloadError);
  });

  it("writes and reads the gateway's wall-clock time in its zone", () => {
    const moment = new Date('2025-07-01T15:04:05Z');
    expect(formatGatewayTime(moment, 'UTC')).toBe('2025-07-01 15:04:05');
    expect(formatGatewayTime(moment, 'America/Montevideo')).toBe('2025-07-01 12:04:05');
    expect(parseGatewayTime('2025-07-01 12:04:05', 'America/Montevideo')).toEqual(moment);
    expect(parseGatewayTime('2025-07-01 17:04:05', 'Europe/Madrid')).toEqual(moment); // summer time, UTC+2
    expect(parseGatewayTime('yesterday', 'UTC')).toBeNull();
  });
});
