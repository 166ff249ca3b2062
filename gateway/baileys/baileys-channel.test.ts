import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/harness/test-platform.ts';
import { boomError, createFakeWhatsApp, textFrom } from './testing/fake-whatsapp.ts';
import { baileysKit, CUSTOMER, CUSTOMER_JID, OUR_PHONE, receivedMessages, receivedStatuses } from './testing/baileys-test-kit.ts';

const kit = baileysKit();
afterEach(() => kit.stopAll());

describe('Baileys session', () => {
  it('reports the QR, then open with our number once the phone scans it, and saves the account', async () => {
    const whatsapp = createFakeWhatsApp({ phone: OUR_PHONE });
    const { deps } = await kit.channel({ whatsapp, waitOpen: false });
    await eventually(() => expect(deps.states.at(-1)).toMatchObject({ state: 'qr', qr: expect.stringContaining('fake-qr-1') }));
    expect(deps.states[0]).toEqual({ state: 'connecting' });

    whatsapp.current().pair(); // the phone scans: WhatsApp pairs, then asks for a restart (515)
    await eventually(() => expect(deps.states.at(-1)).toEqual({ state: 'open', detail: `+${OUR_PHONE}` }));
    expect(whatsapp.sockets).toHaveLength(2);
    // The restart is immediate, not a reconnect after a failure.
    expect(deps.states.filter((state) => 'detail' in state && state.detail?.includes('retrying'))).toEqual([]);
    const creds = deps.authValues.get('creds\0creds') as { me?: { id: string } };
    expect(creds.me?.id).toContain(OUR_PHONE);
    expect([...deps.authValues.keys()].some((key) => key.startsWith('pre-key\0'))).toBe(true);
    expect(whatsapp.current().config).toMatchObject({ browser: ['Omnichat', 'Chrome', expect.any(String)], markOnlineOnConnect: false });
    expect(whatsapp.current().config.printQRInTerminal).toBeUndefined();
  });

  it('logged out from the phone: reports logged_out, forgets the account and stays down; the next start shows a new QR', async () => {
    const { whatsapp, deps, channel } = await kit.channel();
    const sockets = whatsapp.sockets.length;
    whatsapp.current().close(401, 'Intentional Logout');
    await eventually(() => expect(deps.states.at(-1)).toMatchObject({ state: 'logged_out' }));
    expect(deps.authValues.size).toBe(0);

    await channel.session!.stop();
    expect(whatsapp.sockets).toHaveLength(sockets); // no reconnect was attempted
    whatsapp.behaviour.autoPair = false;
    await channel.session!.start();
    await eventually(() => expect(deps.states.at(-1)).toMatchObject({ state: 'qr' }));
    expect(whatsapp.current().config.auth!.creds.me).toBeUndefined();
  });
});

describe('Baileys inbound', () => {
  it('stores text from the E.164 of the JID, to our number, with the WhatsApp id (the same on a replay) and the profile name', async () => {
    const { whatsapp, deps } = await kit.channel();
    const message = textFrom(CUSTOMER_JID, 'Hola 👋');
    whatsapp.upsert([message]);
    whatsapp.upsert([message], 'append'); // replayed after a reconnect
    await eventually(() => expect(receivedMessages(deps)).toHaveLength(2));
    for (const received of receivedMessages(deps)) {
      expect(received).toMatchObject({
        channelId: 7,
        from: CUSTOMER,
        to: `+${OUR_PHONE}`,
        text: 'Hola 👋',
        providerMessageId: message.key.id,
        profileName: 'Lucía',
        media: [],
      });
    }
  });

  it('skips our own messages, status updates, newsletters, broadcast lists, reactions and groups', async () => {
    const { whatsapp, deps, channel } = await kit.channel();
    await channel.send({ messageId: 1, to: CUSTOMER, text: 'echoed back as fromMe', media: [] });
    whatsapp.upsert([
      textFrom(CUSTOMER_JID, 'typed on the phone', { key: { fromMe: true } }),
      textFrom('status@broadcast', 'my status', { key: { participant: CUSTOMER_JID } }),
      textFrom('120363025246125486@newsletter', 'channel post'),
      textFrom('1234567890@broadcast', 'broadcast list'),
      textFrom('120363042588447125@g.us', 'group chatter', { key: { participant: CUSTOMER_JID } }),
      { ...textFrom(CUSTOMER_JID, ''), message: { reactionMessage: { key: { id: 'X' }, text: '👍' } } },
      { ...textFrom(CUSTOMER_JID, ''), message: { protocolMessage: { type: 0 } } },
      textFrom(CUSTOMER_JID, 'the only one'),
    ]);
    await eventually(() => expect(receivedMessages(deps).map((message) => message.text)).toEqual(['the only one']));
  });

  it('takes group messages when enabled: the group is the conversation, the sender is kept', async () => {
    const { whatsapp, deps } = await kit.channel({ row: { settings: { receiveGroups: true } } });
    whatsapp.upsert([
      textFrom('120363042588447125@g.us', 'question in the group', { key: { participant: '98765432109876@lid', participantAlt: CUSTOMER_JID } }),
    ]);
    await eventually(() =>
      expect(receivedMessages(deps)).toMatchObject([{ from: '120363042588447125@g.us', text: 'question in the group', metadata: { participant: CUSTOMER } }]),
    );
  });

  it('reads captions, media references, locations and wrapped (disappearing, captioned document) messages', async () => {
    const { whatsapp, deps } = await kit.channel();
    const base = textFrom(CUSTOMER_JID, '');
    whatsapp.upsert([
      {
        ...base,
        key: { ...base.key, id: 'IMG' },
        message: { imageMessage: { caption: 'my receipt', mimetype: 'image/jpeg', directPath: '/v/t62/abc', mediaKey: Buffer.from('k3y') } },
      },
      {
        ...base,
        key: { ...base.key, id: 'DOC' },
        message: {
          documentWithCaptionMessage: { message: { documentMessage: { caption: 'the invoice', fileName: 'invoice.pdf', mimetype: 'application/pdf' } } },
        },
      },
      { ...base, key: { ...base.key, id: 'EPH' }, message: { ephemeralMessage: { message: { extendedTextMessage: { text: 'disappearing hello' } } } } },
      { ...base, key: { ...base.key, id: 'LOC' }, message: { locationMessage: { degreesLatitude: -34.9, degreesLongitude: -56.16, name: 'Oficina' } } },
      { ...base, key: { ...base.key, id: 'VOICE' }, message: { audioMessage: { mimetype: 'audio/ogg; codecs=opus', ptt: true } } },
    ]);
    await eventually(() => expect(receivedMessages(deps)).toHaveLength(5));
    const byId = new Map(receivedMessages(deps).map((message) => [message.providerMessageId, message]));
    expect(byId.get('IMG')).toMatchObject({
      text: 'my receipt',
      media: [{ url: 'whatsapp-web-media:IMG', contentType: 'image/jpeg', caption: 'my receipt' }],
      metadata: { mediaDownload: { type: 'image', directPath: '/v/t62/abc', mediaKey: Buffer.from('k3y').toString('base64') } },
    });
    expect(byId.get('DOC')).toMatchObject({
      text: 'the invoice',
      media: [{ contentType: 'application/pdf', fileName: 'invoice.pdf', caption: 'the invoice' }],
    });
    expect(byId.get('EPH')).toMatchObject({ text: 'disappearing hello', media: [] });
    expect(byId.get('LOC')).toMatchObject({ text: 'Oficina · -34.9,-56.16', metadata: { location: { latitude: -34.9, longitude: -56.16 } } });
    expect(byId.get('VOICE')).toMatchObject({ text: '', media: [{ contentType: 'audio/ogg; codecs=opus' }] });
  });

  it("maps a LID sender to a phone: from the key, else from the session's mapping; else keeps the LID, and replies reach it", async () => {
    const { whatsapp, deps, channel } = await kit.channel();
    await whatsapp.current().signalRepository.lidMapping.storeLIDPNMappings([{ lid: '222222222222222@lid', pn: '59891234567@s.whatsapp.net' }]);
    whatsapp.upsert([
      textFrom('111111111111111@lid', 'alt in the key', { key: { remoteJidAlt: CUSTOMER_JID } }),
      textFrom('222222222222222@lid', 'known mapping'),
      textFrom('333333333333333@lid', 'no phone known'),
    ]);
    await eventually(() => expect(receivedMessages(deps)).toHaveLength(3));
    expect(receivedMessages(deps).map(({ from, metadata }) => [from, metadata?.lid])).toEqual([
      [CUSTOMER, '111111111111111@lid'],
      ['+59891234567', '222222222222222@lid'],
      ['333333333333333@lid', '333333333333333@lid'],
    ]);
    // The mapping went to the auth state (kind lid-mapping), so another node or a restart knows it.
    expect(deps.authValues.get('lid-mapping\u0000222222222222222_reverse')).toEqual('59891234567');

    const reply = await channel.send({ messageId: 2, to: '333333333333333@lid', text: 'hi', media: [] });
    expect(reply.ok).toBe(true);
    expect(whatsapp.sends.at(-1)!.jid).toBe('333333333333333@lid');
    expect(whatsapp.numberChecks).toEqual([]);
  });
});

describe('Baileys delivery reports', () => {
  it('maps receipts of our messages: 3 delivered, 4 read, 0 failed with the server code; others ignored', async () => {
    const { whatsapp, deps } = await kit.channel();
    const key = (id: string, fromMe = true) => ({ remoteJid: CUSTOMER_JID, fromMe, id });
    whatsapp.current().emit('messages.update', [
      { key: key('A'), update: { status: 3, messageTimestamp: 1_700_000_000 } },
      { key: key('B'), update: { status: 4 } },
      { key: key('C'), update: { status: 0, messageStubParameters: ['463'] } },
      { key: key('D'), update: { status: 2 } }, // server ack: already `sent`
      { key: key('E', false), update: { status: 4 } }, // a message the customer sent us
      { key: key('F'), update: { message: { conversation: 'edited' } } },
    ]);
    whatsapp
      .current()
      .emit('message-receipt.update', [
        { key: { remoteJid: '120363042588447125@g.us', fromMe: true, id: 'G' }, receipt: { userJid: CUSTOMER_JID, readTimestamp: 1_700_000_100 } },
      ]);
    await eventually(() => expect(receivedStatuses(deps)).toHaveLength(4));
    expect(receivedStatuses(deps)).toEqual([
      { providerMessageId: 'A', status: 'delivered', at: new Date(1_700_000_000_000) },
      { providerMessageId: 'B', status: 'read', at: expect.any(Date) },
      { providerMessageId: 'C', status: 'failed', errorCode: '463', errorMessage: expect.stringContaining('463'), at: expect.any(Date) },
      { providerMessageId: 'G', status: 'read', at: new Date(1_700_000_100_000) },
    ]);
  });
});

describe('Baileys send', () => {
  it('checks a new number once with onWhatsApp, sends the text, and refuses a number without WhatsApp for good', async () => {
    const { whatsapp, channel } = await kit.channel();
    const first = await channel.send({ messageId: 1, to: CUSTOMER, text: 'Hello', media: [] });
    const second = await channel.send({ messageId: 2, to: CUSTOMER, text: 'Again', media: [] });
    expect(first).toEqual({ ok: true, providerMessageId: whatsapp.sends[0]!.message.key.id });
    expect(second.ok).toBe(true);
    expect(whatsapp.sends.map((send) => [send.jid, send.content])).toEqual([
      [CUSTOMER_JID, { text: 'Hello' }],
      [CUSTOMER_JID, { text: 'Again' }],
    ]);
    expect(whatsapp.numberChecks).toEqual(['5491123456789']);

    expect(await channel.send({ messageId: 3, to: '+59899000000', text: 'Hi', media: [] })).toMatchObject({
      ok: false,
      errorCode: 'not_on_whatsapp',
      retryable: false,
    });
    expect(whatsapp.sends).toHaveLength(2);
  });

  it('answers someone who wrote in without asking WhatsApp whether the number exists', async () => {
    const { whatsapp, deps, channel } = await kit.channel();
    whatsapp.upsert([textFrom('59891234567@s.whatsapp.net', 'hi')]);
    await eventually(() => expect(receivedMessages(deps)).toHaveLength(1));
    expect(await channel.send({ messageId: 1, to: '+59891234567', text: 'Hello!', media: [] })).toMatchObject({ ok: true });
    expect(whatsapp.numberChecks).toEqual([]);
  });

  it('sends media by URL with the text as its caption (a document keeps its name)', async () => {
    const { whatsapp, channel } = await kit.channel();
    await channel.send({ messageId: 1, to: CUSTOMER, text: 'Your photo', media: [{ url: 'https://cdn.example.com/p/photo.jpg', contentType: 'image/jpeg' }] });
    await channel.send({ messageId: 2, to: CUSTOMER, text: 'Your invoice', media: [{ url: 'https://cdn.example.com/files/invoice%2042.pdf' }] });
    expect(whatsapp.sends.map((send) => send.content)).toEqual([
      { image: { url: 'https://cdn.example.com/p/photo.jpg' }, caption: 'Your photo', mimetype: 'image/jpeg' },
      { document: { url: 'https://cdn.example.com/files/invoice%2042.pdf' }, mimetype: 'application/pdf', fileName: 'invoice 42.pdf', caption: 'Your invoice' },
    ]);
  });

  it('shows "composing" in the chat before a reply, and "paused" once it is sent (or refused)', async () => {
    const { whatsapp, channel } = await kit.channel();
    await channel.typing!(CUSTOMER, {});
    expect(whatsapp.presences).toEqual([{ type: 'composing', jid: CUSTOMER_JID }]);
    const sent = whatsapp.nextSend();
    const result = channel.send({ messageId: 1, to: CUSTOMER, text: 'Hello', media: [] });
    await sent;
    expect(whatsapp.presences).toHaveLength(1); // still composing while the message goes out
    expect(await result).toMatchObject({ ok: true });
    expect(whatsapp.presences).toEqual([
      { type: 'composing', jid: CUSTOMER_JID },
      { type: 'paused', jid: CUSTOMER_JID },
    ]);
    // A reply without typing first sends no chat state; a refused one still clears it.
    await channel.send({ messageId: 2, to: CUSTOMER, text: 'Again', media: [] });
    expect(whatsapp.presences).toHaveLength(2);
    await channel.typing!(CUSTOMER, {});
    whatsapp.failNextSend(boomError('not-acceptable', { data: 406 }));
    expect(await channel.send({ messageId: 3, to: CUSTOMER, text: 'Hi', media: [] })).toMatchObject({ ok: false });
    expect(whatsapp.presences.slice(2).map((presence) => presence.type)).toEqual(['composing', 'paused']);
    // No typing to a number without WhatsApp; a session not connected refuses (the send goes on regardless).
    await channel.typing!('+59899000000', {});
    expect(whatsapp.presences).toHaveLength(4);
  });

  it('refuses to show typing while not connected', async () => {
    const whatsapp = createFakeWhatsApp({ phone: OUR_PHONE, registered: ['5491123456789'] });
    const { deps, channel } = await kit.channel({ whatsapp, waitOpen: false });
    await eventually(() => expect(deps.states.at(-1)).toMatchObject({ state: 'qr' }));
    await expect(channel.typing!(CUSTOMER, {})).rejects.toThrow('not connected');
    expect(whatsapp.presences).toEqual([]);
  });

  it("is retryable while not connected or when the connection drops; a server's refusal is permanent", async () => {
    const whatsapp = createFakeWhatsApp({ phone: OUR_PHONE, registered: ['5491123456789'] });
    const { deps, channel } = await kit.channel({ whatsapp, waitOpen: false });
    await eventually(() => expect(deps.states.at(-1)).toMatchObject({ state: 'qr' }));
    expect(await channel.send({ messageId: 1, to: CUSTOMER, text: 'Hi', media: [] })).toMatchObject({ ok: false, errorCode: 'not_connected', retryable: true });

    whatsapp.current().pair();
    await eventually(() => expect(deps.states.at(-1)).toMatchObject({ state: 'open' }));
    whatsapp.failNextSend(boomError('Connection Closed', { statusCode: 428 }));
    expect(await channel.send({ messageId: 2, to: CUSTOMER, text: 'Hi', media: [] })).toEqual({
      ok: false,
      errorCode: '428',
      errorMessage: 'Connection Closed',
      retryable: true,
    });
    whatsapp.failNextSend(boomError('not-acceptable', { data: 406 }));
    expect(await channel.send({ messageId: 3, to: CUSTOMER, text: 'Hi', media: [] })).toEqual({
      ok: false,
      errorCode: '406',
      errorMessage: 'not-acceptable',
      retryable: false,
    });
    whatsapp.failNextSend(boomError('internal-server-error', { data: 500 }));
    expect(await channel.send({ messageId: 4, to: CUSTOMER, text: 'Hi', media: [] })).toMatchObject({ ok: false, errorCode: '500', retryable: true });
  });
});
