import { randomBytes } from 'node:crypto';
import { channels } from '../../../db/schema/index.ts';
import type { ChannelContractFixture, WebhookCall } from '../../../test/harness/channel-contract.ts';
import type { ChannelRow } from '../../channel.ts';
import { fakeTwilioApi } from './fake-twilio-api.ts';
import { twilioSignature } from '../twilio-signature.ts';

export const PUBLIC_URL = 'https://chat.example.com';
export const ACCOUNT_SID = `AC${'a1'.repeat(16)}`;
export const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
export const OUR_NUMBER = '+14155550100';

/** A Twilio form webhook signed as Twilio signs it (or with the wrong token, to forge it). */
export function twilioCall(url: string, params: Record<string, string>, token = AUTH_TOKEN): WebhookCall {
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(token, url, params) },
    body: new URLSearchParams(params).toString(),
  };
}

export async function createTwilioChannelRow(
  db: Parameters<ChannelContractFixture['createChannel']>[0],
  type: 'twilio_sms' | 'twilio_whatsapp',
  settings: Record<string, unknown> = {},
) {
  const [row] = await db
    .insert(channels)
    .values({
      type,
      name: `${type}-${randomBytes(3).toString('hex')}`,
      address: OUR_NUMBER,
      defaultCountry: 'US',
      settings: { accountSid: ACCOUNT_SID, fromNumber: OUR_NUMBER, ...settings },
      secrets: { authToken: AUTH_TOKEN },
    })
    .returning();
  return row!;
}

/** The contract fixture for Twilio SMS or Twilio WhatsApp (addresses prefixed `whatsapp:`). */
export function twilioFixture(type: 'twilio_sms' | 'twilio_whatsapp'): ChannelContractFixture {
  const prefix = type === 'twilio_whatsapp' ? 'whatsapp:' : '';
  const customer = { providerAddress: `${prefix}+14155552671`, e164: '+14155552671' };
  const inboundParams = (channel: ChannelRow, message: { id: string; text: string }) => ({
    MessageSid: `SM${message.id.replaceAll('-', '')}`,
    SmsMessageSid: `SM${message.id.replaceAll('-', '')}`,
    AccountSid: ACCOUNT_SID,
    From: customer.providerAddress,
    To: `${prefix}${channel.address}`,
    Body: message.text,
    NumMedia: '0',
    NumSegments: '1',
    SmsStatus: 'received',
    ApiVersion: '2010-04-01',
    ...(prefix ? { ProfileName: 'Jane', WaId: '14155552671' } : {}),
  });
  return {
    name: type,
    env: { PUBLIC_URL },
    customer,
    createChannel: (db) => createTwilioChannelRow(db, type),
    webhookUrl: (_platform, channel) => `${PUBLIC_URL}/webhooks/${channel.id}`,
    inbound: (channel, url, message) => twilioCall(url, inboundParams(channel, message)),
    forged: (channel, url, message) => twilioCall(url, inboundParams(channel, message), 'not-the-auth-token-of-this-account'),
    status: (channel, url, report) =>
      twilioCall(url, {
        MessageSid: report.providerMessageId,
        MessageStatus: report.status,
        SmsStatus: report.status,
        AccountSid: ACCOUNT_SID,
        From: `${prefix}${channel.address}`,
        To: customer.providerAddress,
        ApiVersion: '2010-04-01',
      }),
    async openProvider() {
      const api = fakeTwilioApi();
      return {
        async nextSend() {
          const sent = await api.nextSend();
          return { to: sent.to.replace(/^whatsapp:/, ''), text: sent.body, providerMessageId: sent.sid };
        },
        failNextSend: ({ code, message }) => api.failNext({ status: 400, code: Number(code), message }),
        close: async () => api.close(),
      };
    },
  };
}
