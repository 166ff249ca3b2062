import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../db/schema/index.ts';
import { recordingChannelDeps } from '../../test/harness/channel-deps.ts';
import { storeInbound } from '../../messages/store-inbound.ts';
import { processInboundMessage } from '../../bots/inbound-job.ts';
import { queueOutboundMessage } from '../../conversations/queue-outbound-message.ts';
import { sendQueuedMessage } from '../send-job.ts';
import { inTransaction } from '../../kernel/unit-of-work.ts';
import { startTestPlatform, type TestPlatform } from '../../test/harness/test-platform.ts';
import { createTwilioChannel } from './twilio-channel.ts';
import { twilioSettingsSchema } from './twilio-settings.ts';
import { fakeTwilioApi } from './testing/fake-twilio-api.ts';
import { twilioSignature } from './twilio-signature.ts';
import { ACCOUNT_SID, createTwilioChannelRow, PUBLIC_URL } from './testing/twilio-fixture.ts';

let platform: TestPlatform;
let api: ReturnType<typeof fakeTwilioApi>;
// Workers off: these tests call the send step themselves to see each attempt.
beforeAll(async () => {
  platform = await startTestPlatform({ PUBLIC_URL, ROLES: 'http' });
  api = fakeTwilioApi();
});
afterAll(async () => {
  api.close();
  await platform.close();
});

const deps = recordingChannelDeps({ webhookUrl: (id: number) => `${PUBLIC_URL}/webhooks/${id}` });

describe('Twilio channel', () => {
  it("computes Twilio's documented signature test vector", () => {
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
    expect(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('refuses a signature made for another URL (a proxy must set PUBLIC_URL)', async () => {
    const row = await createTwilioChannelRow(platform.services.db, 'twilio_sms');
    const channel = createTwilioChannel(row, deps);
    const body = { MessageSid: 'SM1', From: '+14155552671', To: '+14155550100', Body: 'hi' };
    const request = (url: string, signedFor: string) => ({
      url,
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature('test-auth-token-0123456789abcdef', signedFor, body),
      },
      query: {},
      rawBody: Buffer.alloc(0),
      body,
    });
    expect(channel.verify(request(`${PUBLIC_URL}/webhooks/${row.id}`, `${PUBLIC_URL}/webhooks/${row.id}`))).toBe(true);
    expect(channel.verify(request(`${PUBLIC_URL}/webhooks/${row.id}`, `http://internal:3000/webhooks/${row.id}`))).toBe(false);
  });

  it('normalizes media and the WhatsApp profile, and ignores reports that say nothing new', async () => {
    const row = await createTwilioChannelRow(platform.services.db, 'twilio_whatsapp');
    const channel = createTwilioChannel(row, deps);
    const base = { url: '', method: 'POST', headers: {}, query: {}, rawBody: Buffer.alloc(0) };
    const inbound = channel.normalize({
      ...base,
      body: {
        MessageSid: 'MM123',
        From: 'whatsapp:+14155552671',
        To: 'whatsapp:+14155550100',
        Body: 'see photo',
        NumMedia: '2',
        ProfileName: 'Jane',
        MediaUrl0: 'https://api.twilio.com/media/1',
        MediaContentType0: 'image/jpeg',
        MediaUrl1: 'https://api.twilio.com/media/2',
        MediaContentType1: 'application/pdf',
        SmsStatus: 'received',
      },
    });
    expect(inbound.messages[0]).toMatchObject({
      from: '+14155552671',
      to: '+14155550100',
      text: 'see photo',
      profileName: 'Jane',
      media: [
        { url: 'https://api.twilio.com/media/1', contentType: 'image/jpeg' },
        { url: 'https://api.twilio.com/media/2', contentType: 'application/pdf' },
      ],
    });
    for (const status of ['queued', 'accepted', 'sending']) {
      expect(channel.normalize({ ...base, body: { MessageSid: 'SM9', MessageStatus: status } })).toEqual({ messages: [], statuses: [] });
    }
    expect(channel.normalize({ ...base, body: { MessageSid: 'SM9', MessageStatus: 'undelivered', ErrorCode: '30003' } }).statuses[0]).toMatchObject({
      status: 'failed',
      errorCode: '30003',
      errorMessage: 'Twilio error 30003',
    });
  });

  async function queuedReply(type: 'twilio_sms' | 'twilio_whatsapp', settings: Record<string, unknown> = {}) {
    const row = await createTwilioChannelRow(platform.services.db, type, settings);
    const stored = await inTransaction(platform.services, (uow) =>
      storeInbound(uow, [
        { channelId: row.id, from: '+14155552671', to: row.address, text: 'hi', media: [], providerMessageId: `SM${Math.random()}`, timestamp: new Date() },
      ]),
    );
    await processInboundMessage(platform.services, stored.stored[0]!.id);
    const inbound = await platform.services.db.query.messages.findFirst({ where: eq(messages.id, stored.stored[0]!.id) });
    const conversation = await platform.services.db.query.conversations.findFirst({ where: (c, { eq: equals }) => equals(c.id, inbound!.conversationId!) });
    return inTransaction(platform.services, (uow) => queueOutboundMessage(uow, { conversation: conversation!, authorType: 'bot', body: 'Hello from Twilio' }));
  }
  const row = (id: number) => platform.services.db.query.messages.findFirst({ where: eq(messages.id, id) });

  it('sends WhatsApp with whatsapp: addresses and a status callback to the public URL', async () => {
    const message = await queuedReply('twilio_whatsapp');
    const sent = api.nextSend();
    await sendQueuedMessage(platform.services, message.id, false);
    expect(await sent).toMatchObject({
      accountSid: ACCOUNT_SID,
      to: 'whatsapp:+14155552671',
      from: 'whatsapp:+14155550100',
      body: 'Hello from Twilio',
      statusCallback: expect.stringMatching(new RegExp(`^${PUBLIC_URL}/webhooks/\\d+$`)),
    });
  });

  it('sends through a Messaging Service when one is configured', async () => {
    const message = await queuedReply('twilio_sms', { fromNumber: undefined, messagingServiceSid: `MG${'b2'.repeat(16)}` });
    const sent = api.nextSend();
    await sendQueuedMessage(platform.services, message.id, false);
    expect(await sent).toMatchObject({ messagingServiceSid: `MG${'b2'.repeat(16)}`, from: undefined });
  });

  it('retries throttling and server errors, and records them as failed only on the last attempt', async () => {
    const message = await queuedReply('twilio_sms');
    api.failNext({ status: 429, code: 20429, message: 'Too Many Requests' });
    await expect(sendQueuedMessage(platform.services, message.id, false)).rejects.toThrow('20429');
    expect(await row(message.id)).toMatchObject({ status: 'queued' });
    api.failNext({ status: 503, code: 20503, message: 'Service Unavailable' });
    await sendQueuedMessage(platform.services, message.id, true);
    expect(await row(message.id)).toMatchObject({ status: 'failed', errorCode: '20503', errorMessage: 'Service Unavailable' });
  });

  it('fails a permanent refusal at once, without retrying', async () => {
    const message = await queuedReply('twilio_sms');
    api.failNext({ status: 400, code: 21211, message: "The 'To' number +1415555 is not a valid phone number." });
    await sendQueuedMessage(platform.services, message.id, false);
    expect(await row(message.id)).toMatchObject({ status: 'failed', errorCode: '21211' });
  });

  it('validates its settings with a message per field', () => {
    const result = twilioSettingsSchema.safeParse({ accountSid: 'AB123' });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['accountSid', 'must be an Account SID (AC followed by 32 hex characters)'],
      ['fromNumber', 'set fromNumber or messagingServiceSid'],
    ]);
    expect(twilioSettingsSchema.safeParse({ accountSid: ACCOUNT_SID }).error!.issues[0]!.message).toBe('set fromNumber or messagingServiceSid');
  });
});
