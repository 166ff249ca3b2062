import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messages } from '../../db/schema/index.ts';
import { recordingChannelDeps } from '../../test/harness/channel-deps.ts';
import { storeInbound } from '../../messages/store-inbound.ts';
import { processInboundMessage } from '../../bots/inbound-job.ts';
import { queueOutboundMessage } from '../../conversations/queue-outbound-message.ts';
import { inTransaction } from '../../kernel/unit-of-work.ts';
import { startTestPlatform, type TestPlatform } from '../../test/harness/test-platform.ts';
import { sendQueuedMessage } from '../send-job.ts';
import type { OutboundMessage } from '../channel.ts';
import { parseDialString } from './dial-string.ts';
import { createDinstarChannel } from './dinstar-channel.ts';
import { createDinstarChannelRow, dinstarRow, GATEWAY_PASSWORD } from './testing/dinstar-fixture.ts';
import { dinstarSettingsSchema } from './dinstar-settings.ts';
import { fakeDinstarApi, type FakeDinstarApi } from './testing/fake-dinstar-api.ts';

const GATEWAY = 'https://dinstar-unit.test';
let api: FakeDinstarApi;
let platform: TestPlatform;
// Workers off: the retry test calls the send step itself to see each attempt.
beforeAll(async () => {
  api = fakeDinstarApi({ baseUrl: GATEWAY, password: GATEWAY_PASSWORD });
  platform = await startTestPlatform({ ROLES: 'http' });
});
afterAll(async () => {
  api.close();
  await platform.close();
});
beforeEach(() => {
  Object.assign(api.state, { auth: 'digest', unreachable: false });
  api.account.password = GATEWAY_PASSWORD;
});

const deps = recordingChannelDeps();
let nextMessageId = 500;
const outbound = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => ({
  messageId: nextMessageId++,
  to: '+59899123456',
  text: 'Hola',
  media: [],
  ...overrides,
});

describe('Dinstar dial strings', () => {
  it('reads ranges, single ports and lists, and refuses what is not a port of 0-31', () => {
    expect(parseDialString('0-3')).toEqual([0, 1, 2, 3]);
    expect(parseDialString('2')).toEqual([2]);
    expect(parseDialString('0,2,5')).toEqual([0, 2, 5]);
    expect(parseDialString(' 0-1, 6 ')).toEqual([0, 1, 6]);
    for (const bad of ['', '32', '3-1', 'a', '0.3', '0-', '1,,2']) expect(parseDialString(bad), bad).toBeNull();
    expect(dinstarSettingsSchema.safeParse({ baseUrl: GATEWAY, username: 'admin', dialString: '0-40' }).error!.issues[0]).toMatchObject({
      path: ['dialString'],
      message: 'ports 0-31 such as 0-3, 2 or 0,2,5',
    });
    expect(dinstarSettingsSchema.safeParse({ baseUrl: 'https://admin:secret@192.168.1.50', username: 'admin' }).error!.issues[0]!.message).toMatch(
      /no credentials in the address/,
    );
  });
});

describe('Dinstar sends', () => {
  it('rotates over the dial string 0-3 send after send, also across an adapter rebuild', async () => {
    const row = dinstarRow();
    const channel = createDinstarChannel(row, deps);
    const ports: number[] = [];
    for (let i = 0; i < 5; i++) {
      const sent = api.nextSend();
      expect(await channel.send(outbound())).toMatchObject({ ok: true });
      ports.push((await sent).port);
    }
    // The registry rebuilds the adapter when the row changes: the rotation carries on.
    const rebuilt = createDinstarChannel({ ...row, updatedAt: new Date() }, deps);
    const sixth = api.nextSend();
    await rebuilt.send(outbound());
    ports.push((await sixth).port);
    expect(ports).toEqual([0, 1, 2, 3, 0, 1]);
  });

  it("lets the message's dial string override the channel's, each rotating on its own", async () => {
    const channel = createDinstarChannel(dinstarRow({ dialString: '0-3' }), deps);
    const ports: number[] = [];
    for (const dialString of ['0,2,5', '0,2,5', undefined, '0,2,5', '7']) {
      const sent = api.nextSend();
      await channel.send(outbound({ dialString }));
      ports.push((await sent).port);
    }
    expect(ports).toEqual([0, 2, 0, 5, 7]);
    expect(await channel.send(outbound({ dialString: '0-99' }))).toMatchObject({ ok: false, errorCode: 'bad_dial_string', retryable: false });
  });

  it('posts one number with our message id as user_id, GSM-7 or unicode from the text, and asks for a status report', async () => {
    const channel = createDinstarChannel(dinstarRow({ dialString: undefined }), deps);
    const plain = api.nextSend();
    const message = outbound({ text: 'Your order ships today' });
    expect(await channel.send(message)).toEqual({ ok: true, providerMessageId: String(message.messageId) });
    expect(await plain).toEqual({
      number: '+59899123456',
      userId: message.messageId,
      text: 'Your order ships today',
      port: 0,
      ports: undefined,
      encoding: 'gsm-7bit',
      requestStatusReport: true,
    });
    const emoji = api.nextSend();
    await channel.send(outbound({ text: 'Gracias 👍', media: [{ url: 'https://files.example.com/a.pdf' }] }));
    expect(await emoji).toMatchObject({ encoding: 'unicode', text: 'Gracias 👍\nhttps://files.example.com/a.pdf' });
  });

  it('answers the Digest challenge, then reuses the nonce; Basic works where the gateway asks for it', async () => {
    const channel = createDinstarChannel(dinstarRow(), deps);
    const challenges = api.state.challenges;
    const authorized = api.state.authorized;
    await channel.send(outbound());
    await channel.send(outbound());
    expect(api.state.challenges - challenges).toBe(1);
    expect(api.state.authorized - authorized).toBe(2);

    api.state.auth = 'basic';
    const basic = createDinstarChannel(dinstarRow({ authScheme: 'basic' }), deps);
    expect(await basic.send(outbound())).toMatchObject({ ok: true });
    // A channel still set to Digest cannot answer a Basic challenge: refused, and it says why.
    expect(await createDinstarChannel(dinstarRow(), deps).send(outbound())).toMatchObject({ ok: false, errorCode: 'unauthorized', retryable: false });
  });

  it('fails a wrong password at once with a message about the credentials', async () => {
    api.account.password = 'changed-on-the-gateway';
    const result = await createDinstarChannel(dinstarRow(), deps).send(outbound());
    expect(result).toMatchObject({ ok: false, errorCode: 'unauthorized', retryable: false });
    expect(!result.ok && result.errorMessage).toMatch(/username, password and auth scheme/);
  });

  it('refuses a text over the gateway limit without calling it, and retries an unreachable gateway', async () => {
    const channel = createDinstarChannel(dinstarRow(), deps);
    const sends = api.sends.length;
    expect(await channel.send(outbound({ text: 'x'.repeat(671) }))).toMatchObject({ ok: false, errorCode: 'too_long', retryable: false });
    expect(await channel.send(outbound({ text: 'ñ'.repeat(670) }))).toMatchObject({ ok: true }); // 1340 bytes: within both limits
    expect(api.sends.length - sends).toBe(1);
    api.state.unreachable = true;
    expect(await channel.send(outbound())).toMatchObject({ ok: false, errorCode: 'unreachable', retryable: true });
  });

  async function queuedReply(row: Awaited<ReturnType<typeof createDinstarChannelRow>>) {
    const stored = await inTransaction(platform.services, (uow) =>
      storeInbound(uow, [
        { channelId: row.id, from: '+59899123456', to: 'port 1', text: 'hola', media: [], providerMessageId: `in-${Math.random()}`, timestamp: new Date() },
      ]),
    );
    await processInboundMessage(platform.services, stored.stored[0]!.id);
    const inbound = await platform.services.db.query.messages.findFirst({ where: eq(messages.id, stored.stored[0]!.id) });
    const conversation = await platform.services.db.query.conversations.findFirst({ where: (c, { eq: equals }) => equals(c.id, inbound!.conversationId!) });
    return inTransaction(platform.services, (uow) =>
      queueOutboundMessage(uow, { conversation: conversation!, authorType: 'bot', body: 'Hola desde el gateway' }),
    );
  }
  const messageRow = (id: number) => platform.services.db.query.messages.findFirst({ where: eq(messages.id, id) });

  it('retries "no port available" (550) on the next port, and fails a 413 at once', async () => {
    const row = await createDinstarChannelRow(platform.services.db, { baseUrl: GATEWAY });
    const message = await queuedReply(row);
    api.failNext({ errorCode: 550 });
    await expect(sendQueuedMessage(platform.services, message.id, false)).rejects.toThrow('550');
    expect(await messageRow(message.id)).toMatchObject({ status: 'queued' });
    const retried = api.nextSend();
    await sendQueuedMessage(platform.services, message.id, false);
    expect(await retried).toMatchObject({ port: 1, userId: message.id });
    expect(await messageRow(message.id)).toMatchObject({ status: 'sent', providerMessageId: String(message.id) });

    const refused = await queuedReply(row);
    api.failNext({ errorCode: 413 });
    await sendQueuedMessage(platform.services, refused.id, false);
    expect(await messageRow(refused.id)).toMatchObject({ status: 'failed', errorCode: '413', errorMessage: expect.stringContaining('1500 bytes') });
  });
});
