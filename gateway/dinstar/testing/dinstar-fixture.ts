import { randomBytes } from 'node:crypto';
import { channels } from '../../../db/schema/index.ts';
import type { ChannelContractFixture, WebhookCall } from '../../../test/harness/channel-contract.ts';
import type { ChannelRow } from '../../channel.ts';
import { fakeDinstarApi, gatewayClock } from './fake-dinstar-api.ts';

export const GATEWAY_URL = 'https://dinstar-contract.test';
export const GATEWAY_PASSWORD = 'gateway-secret';
export const PUSH_TOKEN = 'push-token-0123456789abcdef';
export const GATEWAY_SN = 'dbc0-0d21-4f13-0a7f';

type Db = Parameters<ChannelContractFixture['createChannel']>[0];

/** A Dinstar channel row (Uruguay: the customer writes from 099 123 456), polling fast for tests. */
export async function createDinstarChannelRow(db: Db, settings: Record<string, unknown> = {}, secrets: Record<string, string> = {}) {
  const [row] = await db
    .insert(channels)
    .values({
      type: 'dinstar',
      name: `dinstar-${randomBytes(3).toString('hex')}`,
      address: '+59894000000',
      defaultCountry: 'UY',
      settings: { baseUrl: GATEWAY_URL, username: 'admin', allowSelfSigned: true, dialString: '0-3', pollIntervalSeconds: 0.2, ...settings },
      secrets: { password: GATEWAY_PASSWORD, pushToken: PUSH_TOKEN, ...secrets },
    })
    .returning();
  return row!;
}

/** A push as the gateway posts it, with Basic credentials whose password is the push token. */
export function dinstarPush(body: Record<string, unknown>, token = PUSH_TOKEN): WebhookCall {
  return {
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`dinstar:${token}`).toString('base64')}` },
    body: JSON.stringify({ sn: GATEWAY_SN, ...body }),
  };
}

/** The contract fixture: pushes reach the webhook; sends and the poller talk to the msw fake gateway. */
export function dinstarFixture(): ChannelContractFixture {
  const customer = { providerAddress: '099123456', e164: '+59899123456' };
  // A redelivered push is the same inbox row: same id, same timestamp.
  const stamps = new Map<string, string>();
  const sms = (message: { id: string; text: string }) => {
    if (!stamps.has(message.id)) stamps.set(message.id, gatewayClock());
    return {
      incoming_sms_id: Number.parseInt(message.id.slice(0, 7), 16),
      port: 1,
      number: customer.providerAddress,
      smsc: '+59894000900',
      timestamp: stamps.get(message.id),
      text: message.text,
    };
  };
  return {
    name: 'dinstar',
    env: { SESSION_POLL_MS: '200' },
    customer,
    createChannel: (db) => createDinstarChannelRow(db),
    webhookUrl: (platform, channel) => `${platform.url}/webhooks/${channel.id}`,
    inbound: (_channel, _url, message) => dinstarPush({ sms: [sms(message)] }),
    forged: (_channel, _url, message) => dinstarPush({ sms: [sms(message)] }, 'not-the-push-token-of-this-channel'),
    status: (_channel, _url, report) =>
      dinstarPush({
        sms_result: [
          {
            port: 1,
            user_id: Number(report.providerMessageId),
            number: customer.e164,
            time: gatewayClock(),
            status: 'DELIVERED',
            count: 1,
            succ_count: 1,
            ref_id: 7,
            imsi: '748010123456789',
          },
        ],
      }),
    async openProvider() {
      const api = fakeDinstarApi({ baseUrl: GATEWAY_URL, password: GATEWAY_PASSWORD, sn: GATEWAY_SN });
      return {
        async nextSend() {
          const sent = await api.nextSend();
          return { to: sent.number, text: sent.text, providerMessageId: String(sent.userId) };
        },
        failNextSend: ({ code, message }) => api.failNext({ errorCode: Number(code), reason: message }),
        close: async () => api.close(),
      };
    },
  };
}

let nextRowId = 9000;

/** A channel row built in memory (no database), each with its own id so port rotations stay apart. */
export function dinstarRow(settings: Record<string, unknown> = {}, secrets: Record<string, string> = {}): ChannelRow {
  return {
    id: nextRowId++,
    type: 'dinstar',
    name: 'dinstar-unit',
    address: '+59894000000',
    defaultCountry: 'UY',
    settings: { baseUrl: 'https://dinstar-unit.test', username: 'admin', dialString: '0-3', pollIntervalSeconds: 0.1, ...settings },
    secrets: { password: GATEWAY_PASSWORD, pushToken: PUSH_TOKEN, ...secrets },
    enabled: true,
    sendsPerSecond: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  };
}
