import { setTimeout } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../test/harness/test-platform.ts';
import type { OutboundMessage, WebhookContent } from '../channel.ts';
import { deferred, startModemChannel } from './testing/modem-test-kit.ts';

const CUSTOMER = '+59899123456';
const outbound = (text: string, extra: Partial<OutboundMessage> = {}): OutboundMessage => ({ messageId: 1, to: CUSTOMER, text, media: [], ...extra });
const openState = (states: { state: string }[]) => states.at(-1)?.state === 'open';
const inboundMessages = (received: WebhookContent[]) => received.flatMap((content) => content.messages);

describe('gsm_modem sends', () => {
  it('sends in PDU mode asking for a delivery report, and names the message after the modem and its reference', async () => {
    const { channel, deps, fake } = await startModemChannel([{ name: 'dongle0', fake: { firstReference: 41 } }]);
    await eventually(() => expect(openState(deps.states)).toBe(true));
    const result = await channel.send(outbound('Your order ships today'));
    expect(result).toEqual({ ok: true, providerMessageId: 'dongle0:41' });
    expect(await fake.nextSend()).toMatchObject({ to: CUSTOMER, text: 'Your order ships today', references: [41], statusReport: true, mode: 'pdu' });
    expect(fake.commands).toEqual(expect.arrayContaining(['ATE0', 'AT+CMEE=1', 'AT+CMGF=0', 'AT+CNMI=2,1,0,1,0']));
  });

  it('in text mode sends one GSM-7 SMS, refuses what text mode cannot carry, and reads what arrives', async () => {
    const { channel, deps, fake } = await startModemChannel([{ name: 'dongle0', mode: 'text' }]);
    await eventually(() => expect(openState(deps.states)).toBe(true));
    expect(await channel.send(outbound('Pago recibido: $100 @ 10:30, ¡gracias!'))).toMatchObject({ ok: true });
    expect(await fake.nextSend()).toMatchObject({ to: CUSTOMER, text: 'Pago recibido: $100 @ 10:30, ¡gracias!', mode: 'text' });
    expect(fake.commands).toEqual(expect.arrayContaining(['AT+CMGF=1', 'AT+CSCS="GSM"', `AT+CMGS="${CUSTOMER}"`]));
    expect(await channel.send(outbound('Gracias 😀'))).toMatchObject({ ok: false, errorCode: 'text_mode_limit', retryable: false });
    expect(await channel.send(outbound('Total: 10 €'))).toMatchObject({ ok: false, errorCode: 'text_mode_limit', retryable: false });
    const index = fake.receiveSms({ from: CUSTOMER, text: 'Recibido, ¿llega mañana? @Ñoño_§1', at: new Date('2025-03-01T12:00:00Z') });
    await eventually(() => expect(fake.slots.has(index)).toBe(false));
    expect(inboundMessages(deps.received)).toEqual([
      expect.objectContaining({ from: CUSTOMER, text: 'Recibido, ¿llega mañana? @Ñoño_§1', timestamp: new Date('2025-03-01T12:00:00Z') }),
    ]);
  });

  it('sends a text with emoji as UCS-2, unchanged', async () => {
    const { channel, deps, fake } = await startModemChannel([{ name: 'dongle0' }]);
    await eventually(() => expect(openState(deps.states)).toBe(true));
    const text = '¿Llegó tu pedido? 📦 Respondé SÍ o NO 🙏';
    expect(await channel.send(outbound(text))).toMatchObject({ ok: true });
    expect(await fake.nextSend()).toMatchObject({ text, references: [expect.any(Number)] });
  });

  it('sends a 200-character GSM text as two concatenated parts, in order, named after the last part', async () => {
    const { channel, deps, fake } = await startModemChannel([{ name: 'dongle0', fake: { firstReference: 254 } }]);
    await eventually(() => expect(openState(deps.states)).toBe(true));
    const text = `${'Estimado cliente, '.repeat(10)}su saldo es $1.250 [vence 30/11] ~ gracias!!`.slice(0, 200);
    expect(text).toHaveLength(200);
    const result = await channel.send(outbound(text));
    const sent = await fake.nextSend();
    expect(sent).toMatchObject({ text, references: [254, 255], statusReport: true });
    expect(fake.commands.filter((command) => command.startsWith('AT+CMGS='))).toHaveLength(2);
    expect(result).toEqual({ ok: true, providerMessageId: 'dongle0:255' });
  });

  it("maps +CMS ERROR to the modem's refusal: permanent for an unknown subscriber, retryable for congestion", async () => {
    const { channel, deps, fake } = await startModemChannel([{ name: 'dongle0' }]);
    await eventually(() => expect(openState(deps.states)).toBe(true));
    fake.failNextSend(30, 'Unknown subscriber (HLR)');
    expect(await channel.send(outbound('hello'))).toEqual({
      ok: false,
      errorCode: '30',
      errorMessage: 'Unknown subscriber (+CMS ERROR: 30): Unknown subscriber (HLR)',
      retryable: false,
    });
    fake.failNextSend(42, 'No cause information available');
    expect(await channel.send(outbound('hello'))).toEqual({ ok: false, errorCode: '42', errorMessage: 'Congestion (+CMS ERROR: 42)', retryable: true });
    // A number no table lists (what the contract suite uses) keeps its number, with the network's words.
    fake.failNextSend(21610, 'Attempt to send to unsubscribed recipient');
    expect(await channel.send(outbound('hello'))).toEqual({
      ok: false,
      errorCode: '21610',
      errorMessage: 'The modem refused the message (+CMS ERROR: 21610): Attempt to send to unsubscribed recipient',
      retryable: false,
    });
    expect(await channel.send(outbound('hello'))).toMatchObject({ ok: true });
  });

  it('picks the modem the dial string names, rotates without one, and refuses an unknown name', async () => {
    const { channel, deps, fakes } = await startModemChannel([{ name: 'dongle0' }, { name: 'dongle1' }]);
    await eventually(() => expect(deps.states.at(-1)).toEqual({ state: 'open', detail: 'dongle0 ready, dongle1 ready' }));
    expect(await channel.send(outbound('via dongle1', { dialString: 'dongle1' }))).toMatchObject({
      ok: true,
      providerMessageId: expect.stringMatching(/^dongle1:/),
    });
    expect(await fakes.dongle1!.nextSend()).toMatchObject({ text: 'via dongle1' });
    expect(fakes.dongle0!.sent).toHaveLength(0);
    const rotated = [await channel.send(outbound('a')), await channel.send(outbound('b'))];
    expect(rotated.map((result) => result.ok && result.providerMessageId.split(':')[0]).sort()).toEqual(['dongle0', 'dongle1']);
    expect(await channel.send(outbound('x', { dialString: 'dongle7' }))).toMatchObject({ ok: false, errorCode: 'unknown_modem', retryable: false });
  });
});

describe('gsm_modem receives', () => {
  it('stores a received SMS with the SIM number as `to`, and deletes it only after it was stored', async () => {
    const storing = deferred();
    const stored: WebhookContent[] = [];
    const { deps, fake } = await startModemChannel([{ name: 'dongle0', simNumber: '+59891000000' }], {
      deps: {
        async receive(_channelId, content) {
          await storing.promise;
          stored.push(content);
          return { stored: content.messages.length, duplicates: 0 };
        },
      },
    });
    await eventually(() => expect(openState(deps.states)).toBe(true));
    const index = fake.receiveSms({ from: '+59899123456', text: 'Hola, ¿tienen stock?', at: new Date('2025-03-01T12:00:00Z') });
    await eventually(() => expect(fake.commands).toContain(`AT+CMGR=${index}`));
    expect(fake.slots.has(index)).toBe(true);
    expect(fake.commands).not.toContain(`AT+CMGD=${index}`);
    storing.resolve();
    await eventually(() => expect(fake.slots.has(index)).toBe(false));
    expect(inboundMessages(stored)).toEqual([
      expect.objectContaining({ from: '+59899123456', to: '+59891000000', text: 'Hola, ¿tienen stock?', timestamp: new Date('2025-03-01T12:00:00Z') }),
    ]);
  });

  it('puts a 3-part message that arrived out of order back together, once, and frees its slots', async () => {
    const { deps, fake } = await startModemChannel([{ name: 'dongle0' }]);
    await eventually(() => expect(openState(deps.states)).toBe(true));
    const parts = ['Primera parte, ', 'segunda parte 😀, ', 'y la tercera.'];
    const at = new Date('2025-03-01T12:00:00Z');
    for (const sequence of [3, 1, 2]) fake.receiveSms({ from: CUSTOMER, text: parts[sequence - 1]!, at, concat: { reference: 77, total: 3, sequence } });
    await eventually(() => expect(fake.slots.size).toBe(0));
    const messages = inboundMessages(deps.received);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ from: CUSTOMER, to: 'dongle0', text: parts.join(''), providerMessageId: expect.stringMatching(/^sms:/) });
  });

  it('stores a part set that never completes as what arrived, with a note', async () => {
    const { deps, fake } = await startModemChannel([{ name: 'dongle0' }], { timing: { sweepIntervalMs: 100, partsTimeoutMs: 300 } });
    await eventually(() => expect(openState(deps.states)).toBe(true));
    const at = new Date('2025-03-01T12:00:00Z');
    fake.receiveSms({ from: CUSTOMER, text: 'uno ', at, concat: { reference: 9, total: 3, sequence: 1 } });
    fake.receiveSms({ from: CUSTOMER, text: 'tres', at, concat: { reference: 9, total: 3, sequence: 3 } });
    await eventually(() => expect(inboundMessages(deps.received)).toHaveLength(1));
    expect(inboundMessages(deps.received)[0]).toMatchObject({
      text: 'uno […]tres',
      metadata: { missingParts: [2], note: 'Part 2 of 3 never arrived; stored as received' },
    });
    await eventually(() => expect(fake.slots.size).toBe(0));
  });

  it('lists storage at start (AT+CMGL) to store what arrived while it was down, and a re-read maps to the same id', async () => {
    const kit = await startModemChannel([{ name: 'dongle0' }], { start: false });
    const at = new Date('2025-03-01T09:30:00Z');
    kit.fake.receiveSms({ from: CUSTOMER, text: 'llegó mientras dormías', at });
    kit.fake.receiveSms({ from: CUSTOMER, text: 'llegó mientras dormías', at }); // the network delivered it twice
    await kit.channel.session!.start();
    await eventually(() => expect(kit.fake.slots.size).toBe(0));
    expect(kit.fake.commands).toContain('AT+CMGL=4');
    const ids = inboundMessages(kit.deps.received).map((message) => message.providerMessageId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
  });

  it('cancels the prompt a crashed host left open (ESC) before anything else, then lists what the modem holds', async () => {
    const kit = await startModemChannel([{ name: 'dongle0' }], { start: false, timing: { settleMs: 100 } });
    kit.fake.receiveSms({ from: CUSTOMER, text: 'waiting since the crash', at: new Date('2025-03-01T09:30:00Z') });
    kit.fake.strandAtPrompt();
    await kit.channel.session!.start();
    await eventually(() => expect(inboundMessages(kit.deps.received)).toEqual([expect.objectContaining({ text: 'waiting since the crash' })]));
    expect(await kit.channel.send(outbound('after the crash'))).toMatchObject({ ok: true });
  });

  it('turns a +CDS status report into a delivery report for the message it names', async () => {
    const { channel, deps, fake } = await startModemChannel([{ name: 'dongle0', fake: { firstReference: 200 } }]);
    await eventually(() => expect(openState(deps.states)).toBe(true));
    const result = await channel.send(outbound('tracked'));
    fake.reportStatus(200, CUSTOMER, 0);
    await eventually(() =>
      expect(deps.received.flatMap((content) => content.statuses)).toEqual([
        expect.objectContaining({ providerMessageId: 'dongle0:200', status: 'delivered' }),
      ]),
    );
    expect(result).toEqual({ ok: true, providerMessageId: 'dongle0:200' });
  });

  it('reads reports the modem stores (+CDSI) when it refuses to push them, and a part only fails its message', async () => {
    const { channel, deps, fake } = await startModemChannel([{ name: 'dongle0', fake: { firstReference: 10, refuseCnmi: ['2,1,0,1,0'] } }]);
    await eventually(() => expect(openState(deps.states)).toBe(true));
    expect(fake.commands).toContain('AT+CNMI=2,1,0,2,0');
    const long = await channel.send(outbound('z'.repeat(300)));
    expect(long).toEqual({ ok: true, providerMessageId: 'dongle0:11' });
    fake.reportStatus(10, CUSTOMER, 0); // first part delivered: says nothing about the message yet
    fake.reportStatus(11, CUSTOMER, 0x46); // last part expired
    await eventually(() => expect(fake.slots.size).toBe(0));
    expect(deps.received.flatMap((content) => content.statuses)).toEqual([
      expect.objectContaining({
        providerMessageId: 'dongle0:11',
        status: 'failed',
        errorCode: 'status-report-0x46',
        errorMessage: 'Validity period expired before delivery',
      }),
    ]);
  });
});

describe('gsm_modem session', () => {
  it('reconnects when the modem is unplugged and plugged in again, reporting its state', async () => {
    const { channel, deps, fake } = await startModemChannel([{ name: 'dongle0' }, { name: 'dongle1' }]);
    await eventually(() => expect(deps.states.at(-1)).toEqual({ state: 'open', detail: 'dongle0 ready, dongle1 ready' }));
    fake.unplug();
    await eventually(() => expect(deps.states.at(-1)).toEqual({ state: 'open', detail: expect.stringMatching(/^dongle0 disconnected: .+, dongle1 ready$/) }));
    expect(await channel.send(outbound('x', { dialString: 'dongle0' }))).toMatchObject({ ok: false, errorCode: 'modem_unavailable', retryable: true });
    fake.plugIn();
    await eventually(() => expect(deps.states.at(-1)).toEqual({ state: 'open', detail: 'dongle0 ready, dongle1 ready' }));
    expect(await channel.send(outbound('back', { dialString: 'dongle0' }))).toMatchObject({ ok: true });
  });

  it('reports an error while no modem is ready, and a send then fails as retryable', async () => {
    const { channel, deps, fake } = await startModemChannel([{ name: 'dongle0' }]);
    await eventually(() => expect(openState(deps.states)).toBe(true));
    fake.unplug();
    await eventually(() => expect(deps.states.at(-1)).toMatchObject({ state: 'error', detail: expect.stringMatching(/^dongle0 disconnected: /) }));
    expect(await channel.send(outbound('x'))).toMatchObject({ ok: false, errorCode: 'modem_unavailable', retryable: true });
  });

  it('enters the SIM PIN, and does not retry a wrong one', async () => {
    const good = await startModemChannel([{ name: 'dongle0', pin: '4321' }]);
    await eventually(() => expect(openState(good.deps.states)).toBe(true));
    expect(good.fake.commands).toContain('AT+CPIN="4321"');
    const wrong = await startModemChannel([{ name: 'dongle0', pin: '1111', fake: { pin: '4321' } }]);
    await eventually(() =>
      expect(wrong.deps.states.at(-1)).toMatchObject({
        state: 'error',
        detail: expect.stringContaining('dongle0 needs attention: the SIM refused the PIN in pin_dongle0'),
      }),
    );
    expect(JSON.stringify(wrong.deps.states)).not.toContain('1111');
    // Long enough for several reconnects (20–200 ms apart): none may try the PIN again.
    await setTimeout(500);
    expect(wrong.fake.commands.filter((command) => command.startsWith('AT+CPIN='))).toHaveLength(1);
  });

  it('stops with no port left open, and then refuses to send as retryable', async () => {
    const { channel, deps, ports } = await startModemChannel([{ name: 'dongle0' }, { name: 'dongle1' }]);
    await eventually(() => expect(openState(deps.states)).toBe(true));
    expect(ports.openPorts()).toBe(2);
    await channel.session!.stop();
    expect(ports.openPorts()).toBe(0);
    expect(await channel.send(outbound('x'))).toMatchObject({ ok: false, errorCode: 'modem_unavailable', retryable: true });
  });
});
