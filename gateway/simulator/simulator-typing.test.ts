import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrCreateContactAddress, findOrOpenConversation } from '../../conversations/open-conversation.ts';
import { queueOutboundMessage } from '../../conversations/queue-outbound-message.ts';
import { inTransaction } from '../../kernel/unit-of-work.ts';
import { buildSimulatorChannel } from '../../test/harness/factories.ts';
import { connectClient, nextEvent, startTestPlatform, type TestPlatform } from '../../test/harness/test-platform.ts';
import { signPhoneToken } from './phone-token.ts';

let platform: TestPlatform;
const sockets: Socket[] = [];
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await platform.close();
});

/** A phone on a new simulator channel, and the customer's open conversation (no bot, no campaign). */
async function phoneWithConversation(number: string) {
  const { db } = platform.services;
  const channel = await buildSimulatorChannel(db);
  const socket = await connectClient(platform.url, {
    namespace: '/simulator',
    auth: { token: signPhoneToken(channel.secrets.signingKey!, channel.id, number) },
  });
  sockets.push(socket);
  const conversation = await db.transaction(async (tx) => {
    const address = await findOrCreateContactAddress(tx, { channelId: channel.id, address: number });
    return (await findOrOpenConversation(tx, { channelId: channel.id, contactId: address.contactId, contactAddressId: address.id }, async () => null))
      .conversation;
  });
  return { socket, conversation };
}

/** Resolves with the time the event arrived. */
const arrival = (socket: Socket, event: string) => nextEvent(socket, event).then((payload) => ({ payload, at: Date.now() }));

describe('simulator typing indicator', () => {
  it('shows "typing" before a message queued with a typing delay, and sends it only after the delay', async () => {
    const { socket, conversation } = await phoneWithConversation('+59899700001');
    const typing = arrival(socket, 'typing');
    const message = arrival(socket, 'message');
    const queuedAt = Date.now();
    const queued = await inTransaction(platform.services, (uow) =>
      queueOutboundMessage(uow, { conversation, authorType: 'bot', body: 'Let me check…', typingDelayMs: 400 }),
    );
    expect(queued.metadata).toEqual({ typingDelayMs: 400 });
    const [shown, received] = await Promise.all([typing, message]);
    expect(received.payload.text).toBe('Let me check…');
    expect(shown.at).toBeLessThanOrEqual(received.at);
    expect(received.at - shown.at).toBeGreaterThanOrEqual(380); // timers may fire a hair early
    expect(received.at - queuedAt).toBeGreaterThanOrEqual(400);
  });

  it('sends a message without a typing delay at once, with no typing event', async () => {
    const { socket, conversation } = await phoneWithConversation('+59899700002');
    let typed = false;
    socket.on('typing', () => (typed = true));
    const message = arrival(socket, 'message');
    await inTransaction(platform.services, (uow) => queueOutboundMessage(uow, { conversation, authorType: 'bot', body: 'Hello' }));
    expect((await message).payload.text).toBe('Hello');
    expect(typed).toBe(false);
  });
});
