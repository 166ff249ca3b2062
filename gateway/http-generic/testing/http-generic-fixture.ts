import { createHmac, randomBytes } from 'node:crypto';
import { channels } from '../../../db/schema/index.ts';
import type { ChannelContractFixture, WebhookCall } from '../../../test/harness/channel-contract.ts';
import type { ChannelRow } from '../../channel.ts';
import { jsonAggregatorSecrets, jsonAggregatorSettings, legacyGetSecrets, legacyGetSettings, WEBHOOK_SECRET } from './example-providers.ts';
import { fakeAggregator } from './fake-aggregator.ts';

export const OUR_NUMBER = '+59898344484';
const customer = { providerAddress: '5491123456789', e164: '+5491123456789' };

/** The aggregator's JSON webhook: `{ results: [...] }` signed with HMAC-SHA256 of the exact body. */
export function jsonWebhookCall(results: unknown[], secret = WEBHOOK_SECRET): WebhookCall {
  const body = JSON.stringify({ results, messageCount: results.length, pendingMessageCount: 0 });
  return {
    headers: { 'content-type': 'application/json', 'x-quality-signature': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` },
    body,
  };
}

/** The legacy gateway's form webhook, its token in a header (the contract posts to the bare URL). */
export function legacyWebhookCall(fields: Record<string, string>, token = WEBHOOK_SECRET): WebhookCall {
  return { headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-token': token }, body: new URLSearchParams(fields).toString() };
}

/** The legacy example with its webhook token moved from the query string to a header. */
export const legacyHeaderTokenSettings = {
  ...legacyGetSettings,
  inbound: { ...legacyGetSettings.inbound, verification: { type: 'token', in: 'header', name: 'X-Api-Token' } },
};

export async function createHttpGenericChannelRow(
  db: Parameters<ChannelContractFixture['createChannel']>[0],
  settings: Record<string, unknown>,
  secrets: Record<string, string>,
): Promise<ChannelRow> {
  const [row] = await db
    .insert(channels)
    .values({ type: 'http_generic', name: `http-generic-${randomBytes(3).toString('hex')}`, address: OUR_NUMBER, defaultCountry: 'UY', settings, secrets })
    .returning();
  return row!;
}

async function openAggregator(): ReturnType<ChannelContractFixture['openProvider']> {
  const api = fakeAggregator();
  return {
    async nextSend() {
      const sent = await api.nextSend();
      return { to: `+${sent.to}`, text: sent.text, providerMessageId: sent.providerMessageId };
    },
    failNextSend: ({ code, message }) => api.failNext({ code, message }),
    close: async () => api.close(),
  };
}

const inboundJson = (message: { id: string; text: string }) => ({
  messageId: `in-${message.id}`,
  from: customer.providerAddress,
  to: OUR_NUMBER.slice(1),
  text: message.text,
  receivedAt: new Date().toISOString(),
  smsCount: 1,
});

/** The JSON aggregator: Bearer-authenticated sends, HMAC-signed JSON webhooks. */
export const jsonAggregatorFixture: ChannelContractFixture = {
  name: 'http_generic (JSON aggregator)',
  customer,
  createChannel: (db) => createHttpGenericChannelRow(db, jsonAggregatorSettings, jsonAggregatorSecrets),
  webhookUrl: (platform, channel) => `${platform.url}/webhooks/${channel.id}`,
  inbound: (_channel, _url, message) => jsonWebhookCall([inboundJson(message)]),
  forged: (_channel, _url, message) => jsonWebhookCall([inboundJson(message)], 'not-the-webhook-secret'),
  status: (_channel, _url, report) =>
    jsonWebhookCall([
      {
        messageId: report.providerMessageId,
        to: customer.providerAddress,
        status: { groupName: report.status.toUpperCase(), name: 'DELIVERED_TO_HANDSET' },
        error: { id: 0, name: 'NO_ERROR', description: 'No Error' },
        doneAt: new Date().toISOString(),
      },
    ]),
  openProvider: openAggregator,
};

const inboundForm = (message: { id: string; text: string }) => ({
  from: customer.providerAddress,
  to: OUR_NUMBER.slice(1),
  msg: message.text,
  smsid: message.id,
  time: String(Math.floor(Date.now() / 1000)),
});

/** The legacy GET API: credentials in the query string, `OK:`/`ERR:` text answers, form webhooks. */
export const legacyGetFixture: ChannelContractFixture = {
  name: 'http_generic (legacy GET API)',
  customer,
  createChannel: (db) => createHttpGenericChannelRow(db, legacyHeaderTokenSettings, legacyGetSecrets),
  webhookUrl: (platform, channel) => `${platform.url}/webhooks/${channel.id}`,
  inbound: (_channel, _url, message) => legacyWebhookCall(inboundForm(message)),
  forged: (_channel, _url, message) => legacyWebhookCall(inboundForm(message), 'guessed-token'),
  status: (_channel, _url, report) => legacyWebhookCall({ type: 'dlr', smsid: report.providerMessageId, status: 'DELIVRD', err: '000' }),
  openProvider: openAggregator,
};
