import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { recordingChannelDeps, type RecordingDeps } from '../../test/harness/channel-deps.ts';
import { eventually } from '../../test/harness/test-platform.ts';
import type { Channel, ChannelRow, SessionState } from '../channel.ts';
import { FakeWhatsApp } from './testing/fake-wwebjs.ts';
import { createWwebjsChannel, defaultWwebjsRuntime, sendFailure } from './wwebjs-channel.ts';

const channelRow = (settings: Record<string, unknown> = {}): ChannelRow => ({
  id: 7,
  type: 'wwebjs',
  name: 'whatsapp-web',
  address: '+59899000111',
  defaultCountry: 'UY',
  settings,
  secrets: {},
  enabled: true,
  sendsPerSecond: null,
  createdAt: new Date(),
  updatedAt: new Date(),
});

const outbound = (to: string, text = 'Hola') => ({ messageId: 1, to, text, media: [] });

let running: Channel[] = [];
afterEach(async () => {
  for (const channel of running) await channel.session!.stop();
  running = [];
});

/** A channel on a fake WhatsApp, reconnecting at once; the same deps (and stored session) may be shared by several. */
function setup(options: { settings?: Record<string, unknown>; deps?: RecordingDeps; whatsapp?: FakeWhatsApp } = {}) {
  const whatsapp = options.whatsapp ?? new FakeWhatsApp();
  const deps = options.deps ?? recordingChannelDeps();
  const load = vi.fn(async () => whatsapp.library());
  const channel = createWwebjsChannel(channelRow(options.settings), deps, { load, reconnectDelayMs: () => 0 });
  running.push(channel);
  return { whatsapp, deps, load, channel };
}

const stateNames = (states: SessionState[]) => states.map((state) => state.state);
const lastState = (deps: RecordingDeps) => deps.states.at(-1);

async function paired(options: Parameters<typeof setup>[0] = {}) {
  const context = setup(options);
  await context.channel.session!.start();
  await eventually(() => expect(lastState(context.deps)?.state).toMatch(/qr|open/));
  if (lastState(context.deps)?.state === 'qr') await context.whatsapp.scan();
  await eventually(() => expect(lastState(context.deps)).toMatchObject({ state: 'open' }));
  return context;
}

describe('whatsapp-web.js channel: session', () => {
  it('does not load whatsapp-web.js until the session starts', async () => {
    const { channel, load } = setup();
    expect(load).not.toHaveBeenCalled();
    await channel.session!.start();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('refuses to start without the system Chromium, saying how to fix it', async () => {
    const whatsapp = new FakeWhatsApp();
    const load = vi.fn(async () => whatsapp.library());
    const channel = createWwebjsChannel(channelRow(), recordingChannelDeps({ chromiumPath: '/nonexistent/chromium' }), { ...defaultWwebjsRuntime, load });
    await expect(channel.session!.start()).rejects.toThrow(/Chromium not found at \/nonexistent\/chromium.*CHROMIUM_PATH/);
    expect(load).not.toHaveBeenCalled();
    await channel.session!.stop();
  });

  it('shows the QR, then reports open with our number once the phone scans it', async () => {
    const { channel, deps, whatsapp } = setup();
    await channel.session!.start();
    await eventually(() => expect(lastState(deps)).toMatchObject({ state: 'qr', qr: expect.stringMatching(/^2@/) }));
    expect(await channel.send(outbound('+59899246810'))).toMatchObject({ ok: false, errorCode: 'not_connected', retryable: true });
    await whatsapp.scan();
    await eventually(() => expect(lastState(deps)).toEqual({ state: 'open', detail: '+59899000111' }));
    expect(stateNames(deps.states)).toEqual(['connecting', 'qr', 'connecting', 'open']);
  });

  it('writes states in the order they happen, even when one write is slow', async () => {
    const states: SessionState[] = [];
    const deps = recordingChannelDeps({
      async reportState(_channelId, state) {
        // The "paired" write is slow; "open", right behind it, must still land last.
        if (state.state === 'connecting' && state.detail) await new Promise((resolve) => setTimeout(resolve, 30));
        states.push(state);
      },
    });
    const { channel, whatsapp } = setup({ deps });
    await channel.session!.start();
    await eventually(() => expect(states.at(-1)?.state).toBe('qr'));
    await whatsapp.scan();
    await eventually(() => expect(states.map((state) => state.state)).toEqual(['connecting', 'qr', 'connecting', 'open']));
  });

  it('keeps the pairing across a restart: the profile stored at stop is restored, no new QR', async () => {
    const first = await paired();
    await first.channel.session!.stop();
    expect(first.deps.authValues.size, 'the session is stored when the browser closes').toBeGreaterThan(0);

    const second = setup({ deps: recordingChannelDeps(), whatsapp: first.whatsapp });
    for (const [key, value] of first.deps.authValues) second.deps.authValues.set(key, value);
    await second.channel.session!.start();
    await eventually(() => expect(lastState(second.deps)).toMatchObject({ state: 'open' }));
    expect(stateNames(second.deps.states)).not.toContain('qr');
  });

  it('on a logout from the phone reports logged_out, deletes the stored session and does not reconnect', async () => {
    const first = await paired();
    await first.channel.session!.stop(); // stores the session
    const { channel, deps, whatsapp } = setup({ deps: first.deps, whatsapp: first.whatsapp });
    await channel.session!.start();
    await eventually(() => expect(lastState(deps)).toMatchObject({ state: 'open' }));
    expect(deps.authValues.size).toBeGreaterThan(0);
    const clients = whatsapp.clients.length;

    const client = whatsapp.unlink();
    await eventually(() => expect(lastState(deps)).toMatchObject({ state: 'logged_out' }));
    expect(deps.authValues.size, 'no stored session is left').toBe(0);
    expect(whatsapp.clients.length).toBe(clients);
    expect(whatsapp.client, 'the client is closed').toBeUndefined();
    expect(await channel.send(outbound('+59899246810'))).toMatchObject({ ok: false, errorCode: 'not_connected' });

    // The library's own re-initialization after a logout (a new QR on the closing browser) is held.
    const qr = vi.fn();
    client.on('qr', qr);
    await eventually(() => expect(existsSync(client.options.puppeteer.userDataDir!), 'RemoteAuth removed the profile').toBe(false));
    const settled = await Promise.race([client.relogin!.then(() => 'settled'), new Promise((resolve) => setImmediate(() => resolve('held')))]);
    expect(settled).toBe('held');
    expect(qr).not.toHaveBeenCalled();
  });

  it('reconnects by itself after a drop, with the stored session (no new QR)', async () => {
    const { deps, whatsapp, channel } = await paired();
    const qrs = deps.states.filter((state) => state.state === 'qr').length;
    await whatsapp.drop('UNLAUNCHED');
    await eventually(() => expect(deps.states).toContainEqual({ state: 'error', detail: expect.stringContaining('UNLAUNCHED') }));
    await eventually(() => {
      expect(whatsapp.clients).toHaveLength(2);
      expect(lastState(deps)).toMatchObject({ state: 'open' });
    });
    expect(deps.states.filter((state) => state.state === 'qr')).toHaveLength(qrs);
    expect(deps.authValues.size, 'a drop keeps the stored session').toBeGreaterThan(0);
    expect(await channel.send(outbound('+59899246810'))).toMatchObject({ ok: true });
  });

  it('stops cleanly: the client is destroyed and nothing reconnects afterwards', async () => {
    const { channel, whatsapp } = await paired();
    await channel.session!.stop();
    expect(whatsapp.client).toBeUndefined();
    expect(whatsapp.clients).toHaveLength(1);
  });
});

describe('whatsapp-web.js channel: inbound', () => {
  it('stores customer messages and skips our own, statuses, groups and WhatsApp notices', async () => {
    const { whatsapp, deps } = await paired();
    whatsapp.deliver({ id: 'A1', from: '59899246810@c.us', fromMe: true, body: 'mine' });
    whatsapp.deliver({ id: 'A2', from: 'status@broadcast', author: '59899246810@c.us', body: 'my status' });
    whatsapp.deliver({ id: 'A3', from: '120363025246125486@g.us', author: '59899246810@c.us', body: 'group chat' });
    whatsapp.deliver({ id: 'A4', from: '59899246810@c.us', type: 'e2e_notification' });
    whatsapp.deliver({ id: 'A5', from: '59899246810@c.us', body: 'Hola', _data: { notifyName: 'Ana' }, timestamp: 1_700_000_000 });
    await eventually(() => expect(deps.received).toHaveLength(1));
    expect(deps.received[0]!.messages).toEqual([
      {
        channelId: 7,
        from: '+59899246810',
        to: '+59899000111',
        text: 'Hola',
        media: [],
        providerMessageId: 'false_59899246810@c.us_A5',
        timestamp: new Date(1_700_000_000_000),
        profileName: 'Ana',
        metadata: { provider: 'wwebjs', type: 'chat' },
      },
    ]);
  });

  it('takes group messages from their author when groups are accepted', async () => {
    const { whatsapp, deps } = await paired({ settings: { acceptGroups: true } });
    whatsapp.deliver({ id: 'G1', from: '120363025246125486@g.us', author: '59899246810@c.us', body: 'in the group' });
    await eventually(() => expect(deps.received).toHaveLength(1));
    expect(deps.received[0]!.messages[0]).toMatchObject({ from: '+59899246810', text: 'in the group', metadata: { group: '120363025246125486@g.us' } });
  });

  it('finds the phone number behind a @lid sender, and keeps the id when WhatsApp Web does not know it', async () => {
    const { whatsapp, deps } = await paired();
    whatsapp.lidPhones.set('201234567890123@lid', '59899246810@c.us');
    whatsapp.deliver({ id: 'L1', from: '201234567890123@lid', body: 'from a lid' });
    whatsapp.deliver({ id: 'L2', from: '209999999999999@lid', body: 'unknown lid' });
    await eventually(() => expect(deps.received).toHaveLength(2));
    expect(deps.received[0]!.messages[0]).toMatchObject({ from: '+59899246810', metadata: { lid: '201234567890123@lid' } });
    expect(deps.received[1]!.messages[0]).toMatchObject({ from: '209999999999999@lid' });
  });

  it('records media without downloading it, and locations as text and coordinates', async () => {
    const { whatsapp, deps } = await paired();
    whatsapp.deliver({ id: 'M1', from: '59899246810@c.us', type: 'image', hasMedia: true, body: '' });
    whatsapp.deliver({ id: 'M2', from: '59899246810@c.us', type: 'document', hasMedia: true, body: 'the invoice' });
    whatsapp.deliver({ id: 'M3', from: '59899246810@c.us', type: 'location', location: { latitude: -34.9, longitude: -56.16, name: 'Oficina' } });
    await eventually(() => expect(deps.received).toHaveLength(3));
    const [image, document, location] = deps.received.map((content) => content.messages[0]);
    expect(image).toMatchObject({ text: '[image]', media: [], metadata: { hasMedia: true, mediaType: 'image' } });
    expect(document).toMatchObject({ text: 'the invoice', metadata: { hasMedia: true, mediaType: 'document' } });
    expect(location).toMatchObject({ text: 'Oficina · -34.9,-56.16', metadata: { location: { latitude: -34.9, longitude: -56.16 } } });
  });

  it('maps acks of our messages: 2 delivered, 3 and 4 read, -1 failed; 0 and 1 add nothing', async () => {
    const { whatsapp, deps, channel } = await paired();
    const sent = await channel.send(outbound('+59899246810'));
    if (!sent.ok) throw new Error('send failed');
    for (const ack of [0, 1, 2, 3, 4, -1]) whatsapp.ack(sent.providerMessageId, ack);
    await eventually(() => expect(deps.received).toHaveLength(4));
    expect(deps.received.flatMap((content) => content.statuses)).toMatchObject([
      { providerMessageId: sent.providerMessageId, status: 'delivered' },
      { status: 'read' },
      { status: 'read' },
      { status: 'failed', errorCode: 'ack_error' },
    ]);
  });
});

describe('whatsapp-web.js channel: send', () => {
  it("sends to WhatsApp's id for the number and returns the message id", async () => {
    const { whatsapp, channel } = await paired();
    const result = await channel.send({ ...outbound('+59899246810', 'Your order ships today'), media: [{ url: 'https://example.com/invoice.pdf' }] });
    expect(result).toEqual({ ok: true, providerMessageId: whatsapp.sent[0]!.providerMessageId });
    expect(whatsapp.sent[0]).toMatchObject({ chatId: '59899246810@c.us', text: 'Your order ships today\nhttps://example.com/invoice.pdf' });
  });

  it('refuses a number without WhatsApp for good, and replies to a @lid sender at that id', async () => {
    const { whatsapp, channel } = await paired();
    whatsapp.unregistered.add('59899111222');
    expect(await channel.send(outbound('+59899111222'))).toMatchObject({ ok: false, errorCode: 'not_on_whatsapp', retryable: false });
    expect(await channel.send(outbound('209999999999999@lid'))).toMatchObject({ ok: true });
    expect(whatsapp.sent.map((sent) => sent.chatId)).toEqual(['209999999999999@lid']);
  });

  it('sets the chat typing before a reply and clears it once the reply is sent', async () => {
    const { whatsapp, channel } = await paired();
    await channel.typing!('+59899246810', {});
    expect(whatsapp.chatStates).toEqual([{ chatId: '59899246810@c.us', state: 'typing' }]);
    const sent = whatsapp.nextSend().then(() => [...whatsapp.chatStates]);
    expect(await channel.send(outbound('+59899246810', 'One moment'))).toMatchObject({ ok: true });
    expect(await sent).toEqual([{ chatId: '59899246810@c.us', state: 'typing' }]); // still typing as the message went
    expect(whatsapp.chatStates.at(-1)).toEqual({ chatId: '59899246810@c.us', state: 'stop' });
    // Without typing first, a reply sets no chat state; nothing is shown to a number without WhatsApp.
    await channel.send(outbound('+59899246810', 'Again'));
    whatsapp.unregistered.add('59899111222');
    await channel.typing!('+59899111222', {});
    expect(whatsapp.chatStates).toHaveLength(2);
  });

  it('refuses to show typing while not connected', async () => {
    const { channel } = setup();
    await expect(channel.typing!('+59899246810', {})).rejects.toThrow('not connected');
  });

  it("keeps a refusal's code and text (permanent), and retries when the browser went away", async () => {
    const { whatsapp, channel } = await paired();
    whatsapp.failNextSend({ code: '21610', message: 'Attempt to send to unsubscribed recipient' });
    expect(await channel.send(outbound('+59899246810'))).toEqual({
      ok: false,
      errorCode: '21610',
      errorMessage: 'Attempt to send to unsubscribed recipient',
      retryable: false,
    });
    expect(sendFailure(new Error('Evaluation failed: TypeError: x is undefined'))).toMatchObject({ errorCode: 'send_failed', retryable: false });
    const closed = Object.assign(new Error('Protocol error (Runtime.callFunctionOn): Target closed'), { name: 'TargetCloseError' });
    expect(sendFailure(closed)).toMatchObject({ errorCode: 'browser_unavailable', retryable: true });
  });
});
