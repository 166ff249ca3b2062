import { createHmac, randomBytes } from 'node:crypto';
import { channels } from '../../../db/schema/index.ts';
import type { ChannelContractFixture, WebhookCall } from '../../../test/harness/channel-contract.ts';
import type { ChannelRow } from '../../channel.ts';
import { fakeGraphApi } from './fake-graph-api.ts';

export const APP_SECRET = 'app-secret-0123456789abcdef';
export const VERIFY_TOKEN = 'verify-me-please';
export const PHONE_NUMBER_ID = '106540352242922';
export const DISPLAY_NUMBER = '15550783881';

/** A webhook POST as Meta sends it: JSON signed with the app secret over the exact bytes. */
export function metaCall(payload: unknown, secret = APP_SECRET): WebhookCall {
  const body = JSON.stringify(payload);
  return {
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` },
    body,
  };
}

export function metaEnvelope(value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: { messaging_product: 'whatsapp', metadata: { display_phone_number: DISPLAY_NUMBER, phone_number_id: PHONE_NUMBER_ID }, ...value },
          },
        ],
      },
    ],
  };
}

export async function createCloudApiChannelRow(db: Parameters<ChannelContractFixture['createChannel']>[0]): Promise<ChannelRow> {
  const [row] = await db
    .insert(channels)
    .values({
      type: 'whatsapp_cloud',
      name: `whatsapp-cloud-${randomBytes(3).toString('hex')}`,
      address: `+${DISPLAY_NUMBER}`,
      defaultCountry: 'US',
      settings: { phoneNumberId: PHONE_NUMBER_ID, graphApiVersion: 'v23.0' },
      secrets: { accessToken: 'EAAG-test-access-token-0123456789', appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN },
    })
    .returning();
  return row!;
}

const customer = { providerAddress: '5491123456789', e164: '+5491123456789' };

export const cloudApiFixture: ChannelContractFixture = {
  name: 'whatsapp_cloud',
  customer,
  createChannel: createCloudApiChannelRow,
  webhookUrl: (platform, channel) => `${platform.url}/webhooks/${channel.id}`,
  inbound: (_channel, _url, message) =>
    metaCall(
      metaEnvelope({
        contacts: [{ profile: { name: 'Lucía' }, wa_id: customer.providerAddress }],
        messages: [
          {
            from: customer.providerAddress,
            id: `wamid.${message.id}`,
            timestamp: String(Math.floor(Date.now() / 1000)),
            type: 'text',
            text: { body: message.text },
          },
        ],
      }),
    ),
  forged: (_channel, _url, message) =>
    metaCall(
      metaEnvelope({
        messages: [{ from: customer.providerAddress, id: `wamid.${message.id}`, timestamp: '1700000000', type: 'text', text: { body: message.text } }],
      }),
      'some-other-app-secret',
    ),
  status: (_channel, _url, report) =>
    metaCall(
      metaEnvelope({
        statuses: [
          { id: report.providerMessageId, status: report.status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: customer.providerAddress },
        ],
      }),
    ),
  async openProvider() {
    const api = fakeGraphApi();
    return {
      async nextSend() {
        const sent = await api.nextSend();
        return { to: `+${sent.payload.to}`, text: sent.payload.text?.body, providerMessageId: sent.wamid };
      },
      failNextSend: ({ code, message }) => api.failNext({ status: 400, code: Number(code), message }),
      close: async () => api.close(),
    };
  },
};
