import smpp from 'smpp';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/harness/test-platform.ts';
import { closeOpened, openSmpp } from './testing/smpp-test-session.ts';

afterEach(closeOpened);

const hasLoneSurrogate = (text: string) => /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

describe('SMPP send', () => {
  it('sends GSM text as data_coding 0 (extension characters escaped) with our number and the E.164 destination', async () => {
    const { smsc, send } = await openSmpp();
    const result = await send('Total: 5€ [ok]');
    const message = await smsc.nextMessage();
    expect(result).toEqual({ ok: true, providerMessageId: message.messageId });
    expect(message.parts[0]).toMatchObject({
      text: 'Total: 5€ [ok]',
      dataCoding: 0x00,
      esmClass: 0,
      to: '59899246810',
      destTon: 1,
      destNpi: 1,
      from: '59899000111',
      sourceTon: 1,
      sourceNpi: 1,
      registeredDelivery: 1,
    });
  });

  it('sends text outside GSM 03.38 (an emoji) as UCS-2, and Latin-1 as 0x03 when the SMSC wants it', async () => {
    const { smsc, send } = await openSmpp({ settings: { dataCoding: 'latin1', sourceAddress: 'ACME Shop' } });
    await send('Hola 👋');
    expect((await smsc.nextMessage()).parts[0]).toMatchObject({ text: 'Hola 👋', dataCoding: 0x08, from: 'ACME Shop', sourceTon: 5, sourceNpi: 0 });
    await send('Olá, señor');
    expect((await smsc.nextMessage()).parts[0]).toMatchObject({ text: 'Olá, señor', dataCoding: 0x03 });
  });

  it('sends a 300-character text as two parts with one 8-bit concatenation UDH reference', async () => {
    const { smsc, send } = await openSmpp();
    const text = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(6).slice(0, 300);
    const result = await send(text);
    const message = await smsc.nextMessage();
    expect(message.text).toBe(text);
    expect(message.parts).toHaveLength(2);
    const [first, second] = message.parts as [(typeof message.parts)[0], (typeof message.parts)[0]];
    expect(first.udh).toHaveLength(1);
    const reference = first.udh[0]![2]!;
    expect([...first.udh[0]!]).toEqual([0x00, 0x03, reference, 2, 1]);
    expect([...second.udh[0]!]).toEqual([0x00, 0x03, reference, 2, 2]);
    expect(message.parts.map((part) => [part.esmClass & 0x40, part.dataCoding, part.text.length])).toEqual([
      [0x40, 0, 153],
      [0x40, 0, 147],
    ]);
    // The message keeps its last part's id: receipts for the others are mapped to it.
    expect(result).toEqual({ ok: true, providerMessageId: second.messageId });
  });

  it('never splits an emoji between two UCS-2 parts', async () => {
    const { smsc, send } = await openSmpp();
    const text = `${'a'.repeat(66)}😀${'b'.repeat(70)}`;
    await send(text);
    const message = await smsc.nextMessage();
    expect(message.parts.map((part) => part.text.length)).toEqual([66, 67, 5]);
    expect(message.parts.some((part) => hasLoneSurrogate(part.text))).toBe(false);
    expect(message.text).toBe(text);
  });

  it('can send long texts with sar_* TLVs or as one message_payload', async () => {
    const text = 'x'.repeat(200);
    const sar = await openSmpp({ settings: { longMessages: 'sar' } });
    await sar.send(text);
    const parts = (await sar.smsc.nextMessage()).parts;
    expect(parts.map((part) => [part.udh.length, part.esmClass, part.sar?.total, part.sar?.sequence])).toEqual([
      [0, 0, 2, 1],
      [0, 0, 2, 2],
    ]);
    expect(parts[0]!.sar!.reference).toBe(parts[1]!.sar!.reference);
    const payload = await openSmpp({ settings: { longMessages: 'payload' } });
    await payload.send(text);
    expect((await payload.smsc.nextMessage()).parts).toMatchObject([{ payload: true, text, udh: [] }]);
  });

  it('never has more submit_sm awaiting an answer than the window allows', async () => {
    const { smsc, send } = await openSmpp({ settings: { windowSize: 3 } });
    smsc.hold();
    let settled = 0;
    const sends = Array.from({ length: 10 }, (_, i) => send(`message ${i}`).finally(() => settled++));
    await eventually(() => expect(smsc.held).toBe(3));
    while (settled < 10) {
      smsc.releaseHeld();
      await eventually(() => expect(smsc.held > 0 || settled === 10).toBe(true));
    }
    expect((await Promise.all(sends)).every((result) => result.ok)).toBe(true);
    expect(smsc.state.maxOutstanding).toBe(3);
    expect(smsc.submitted).toHaveLength(10);
  });

  it('waits out ESME_RTHROTTLED on the bind, and asks the platform to retry when it persists', async () => {
    const { smsc, send } = await openSmpp();
    smsc.refuseNext({ status: smpp.errors.ESME_RTHROTTLED });
    expect(await send('first throttled')).toMatchObject({ ok: true });
    expect(smsc.submitted.map((part) => part.text)).toEqual(['first throttled', 'first throttled']);
    smsc.refuseNext({ status: smpp.errors.ESME_RTHROTTLED }, 3);
    expect(await send('always throttled')).toEqual({ ok: false, errorCode: '88', errorMessage: expect.stringContaining('ESME_RTHROTTLED'), retryable: true });
  });

  it('maps refusals: an invalid destination is permanent, a system error retryable, a vendor status as configured', async () => {
    const { smsc, send } = await openSmpp({ settings: { retryableStatuses: [0x401] } });
    smsc.refuseNext({ status: smpp.errors.ESME_RINVDSTADR });
    expect(await send('to nowhere')).toEqual({
      ok: false,
      errorCode: '11',
      errorMessage: 'ESME_RINVDSTADR (0x0000000B) invalid destination address',
      retryable: false,
    });
    smsc.refuseNext({ status: smpp.errors.ESME_RSYSERR });
    expect(await send('SMSC broken')).toMatchObject({ ok: false, errorCode: '8', retryable: true });
    smsc.refuseNext({ status: 0x401, text: 'route busy' });
    expect(await send('vendor')).toEqual({ ok: false, errorCode: '1025', errorMessage: 'route busy (SMPP command_status 1025 (0x00000401))', retryable: true });
  });

  it('answers a submit whose response never came before a disconnect as retryable', async () => {
    const { smsc, send } = await openSmpp();
    smsc.hold();
    const pending = send('in flight');
    await eventually(() => expect(smsc.held).toBe(1));
    smsc.dropConnections();
    expect(await pending).toMatchObject({ ok: false, errorCode: 'disconnected', retryable: true });
  });

  it('retries only the parts the SMSC did not take, with the same reference', async () => {
    const { smsc, send, deps } = await openSmpp();
    const text = 'y'.repeat(300);
    smsc.refuseNext({ status: 0 }); // part 1 taken
    smsc.refuseNext({ status: smpp.errors.ESME_RMSGQFUL }, 3); // part 2 refused on every try
    expect(await send(text, 42)).toMatchObject({ ok: false, errorCode: '20', retryable: true });
    expect(smsc.submitted).toHaveLength(4);
    const retried = await send(text, 42);
    expect(smsc.submitted).toHaveLength(5);
    const message = await smsc.nextMessage();
    expect(message.text).toBe(text);
    expect(message.parts.map((part) => part.udh[0]![4])).toEqual([1, 2]);
    expect(retried).toEqual({ ok: true, providerMessageId: message.messageId });
    // The first part's id points to the message, for its receipts.
    expect([...deps.authValues.values()]).toContainEqual({ messageId: message.messageId });
  });
});
