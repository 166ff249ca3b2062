import smpp from 'smpp';
import { afterEach, describe, expect, it } from 'vitest';
import { recordingChannelDeps, type RecordingDeps } from '../../test/harness/channel-deps.ts';
import { eventually } from '../../test/harness/test-platform.ts';
import { encodeForHandset, type FakeSmsc } from './testing/fake-smsc.ts';
import { closeOpened, openSmpp } from './testing/smpp-test-session.ts';

afterEach(closeOpened);

const messages = (deps: RecordingDeps) => deps.received.flatMap((content) => content.messages);
const statuses = (deps: RecordingDeps) => deps.received.flatMap((content) => content.statuses);
const CUSTOMER = '59899246810';

/** deliver_sm options for one part of a concatenated message. */
function part(scheme: 'udh8' | 'udh16' | 'sar', reference: number, total: number, sequence: number, dataCoding: number, octets: Buffer) {
  if (scheme === 'sar')
    return { data_coding: dataCoding, short_message: octets, sar_msg_ref_num: reference, sar_total_segments: total, sar_segment_seqnum: sequence };
  const udh = scheme === 'udh8' ? [0x05, 0x00, 0x03, reference, total, sequence] : [0x06, 0x08, 0x04, reference >> 8, reference & 0xff, total, sequence];
  return { data_coding: dataCoding, esm_class: 0x40, short_message: Buffer.concat([Buffer.from(udh), octets]) };
}

/** A handset's long text cut into parts at `cut` octets, delivered in the given order. */
async function deliverInParts(smsc: FakeSmsc, text: string, scheme: 'udh8' | 'udh16' | 'sar', reference: number, cut: number, order: number[]) {
  const { data_coding, short_message } = encodeForHandset(text);
  const chunks = [];
  for (let i = 0; i < short_message.length; i += cut) chunks.push(short_message.subarray(i, i + cut));
  for (const sequence of order) {
    expect(
      await smsc.deliver({
        source_addr: CUSTOMER,
        destination_addr: '59899000111',
        ...part(scheme, reference, chunks.length, sequence, data_coding, chunks[sequence - 1]!),
      }),
    ).toBe(0);
  }
}

describe('SMPP inbound messages', () => {
  it('decodes GSM, IA5, Latin-1 and UCS-2 texts and reads the addresses by their TON', async () => {
    const { smsc, deps } = await openSmpp();
    await smsc.deliverText(CUSTOMER, 'Hola @ {ok} ¿qué tal? 5€');
    await smsc.deliver({
      source_addr: 'BANCO',
      source_addr_ton: 5,
      destination_addr: '59899000111',
      data_coding: 0x01,
      short_message: Buffer.from('user_1@mail $5', 'ascii'),
    });
    await smsc.deliver({
      source_addr: '099246810',
      source_addr_ton: 2,
      destination_addr: '59899000111',
      data_coding: 0x03,
      short_message: Buffer.from('Olá, ñandú', 'latin1'),
    });
    await smsc.deliverText(CUSTOMER, 'Gracias 🙏 مرحبا');
    expect(messages(deps).map(({ from, to, text }) => ({ from, to, text }))).toEqual([
      { from: '+59899246810', to: '+59899000111', text: 'Hola @ {ok} ¿qué tal? 5€' },
      { from: 'BANCO', to: '+59899000111', text: 'user_1@mail $5' },
      { from: '+59899246810', to: '+59899000111', text: 'Olá, ñandú' },
      { from: '+59899246810', to: '+59899000111', text: 'Gracias 🙏 مرحبا' },
    ]);
  });

  it('joins concatenated parts (8-bit and 16-bit UDH, sar_* TLVs) in any order, once complete', async () => {
    const { smsc, deps } = await openSmpp();
    const gsm = `${'Quiero saber el precio del envio a Montevideo. '.repeat(4).slice(0, 152)}€ fin`;
    await deliverInParts(smsc, gsm, 'udh8', 7, 153, [2, 1]);
    // A character straddles each cut: the GSM escape of '€', the surrogate pair of an emoji.
    const ucs2 = `${'a'.repeat(66)}😀${'b'.repeat(20)}`;
    await deliverInParts(smsc, ucs2, 'udh16', 0x1234, 134, [1, 2]);
    const sar = 'z'.repeat(170);
    await deliverInParts(smsc, sar, 'sar', 300, 153, [2, 1]);
    expect(encodeForHandset(gsm).short_message.subarray(152, 154)).toEqual(Buffer.from([0x1b, 0x65])); // the cut is between them
    expect(messages(deps).map((message) => [message.text, message.metadata?.parts])).toEqual([
      [gsm, 2],
      [ucs2, 2],
      [sar, 2],
    ]);
  });

  it('keeps a part it acknowledged through a restart, and joins it with the rest afterwards', async () => {
    const deps = recordingChannelDeps();
    const first = await openSmpp({ deps });
    const text = 'k'.repeat(200);
    const { data_coding, short_message } = encodeForHandset(text);
    expect(await first.smsc.deliver({ source_addr: CUSTOMER, ...part('udh8', 9, 2, 1, data_coding, short_message.subarray(0, 153)) })).toBe(0);
    expect(messages(deps)).toHaveLength(0);
    await first.channel.session!.stop();
    const second = await openSmpp({ deps, smsc: first.smsc });
    expect(await second.smsc.deliver({ source_addr: CUSTOMER, ...part('udh8', 9, 2, 2, data_coding, short_message.subarray(153)) })).toBe(0);
    expect(messages(deps).map((message) => message.text)).toEqual([text]);
    expect([...deps.authValues.keys()].filter((key) => key.startsWith('smpp-mo-part'))).toEqual([]);
  });

  it('answers deliver_sm only after the message is stored, and asks the SMSC to retry when storing fails', async () => {
    let smsc: FakeSmsc | undefined;
    const answersBeforeStored: number[] = [];
    let failNext = true;
    const deps = recordingChannelDeps({
      async receive(_channelId, content) {
        // A round trip after the deliver_sm: an early deliver_sm_resp would have reached the SMSC first.
        expect(await smsc!.enquireLink()).toBe(0);
        answersBeforeStored.push(smsc!.state.deliverAnswers);
        if (failNext) {
          failNext = false;
          throw new Error('database down');
        }
        deps.received.push(content);
        return { stored: content.messages.length, duplicates: 0 };
      },
    });
    ({ smsc } = await openSmpp({ deps }));
    expect(await smsc.deliverText(CUSTOMER, 'first try')).toBe(smpp.errors.ESME_RX_T_APPN);
    expect(messages(deps)).toHaveLength(0);
    expect(await smsc.deliverText(CUSTOMER, 'first try')).toBe(0);
    expect(answersBeforeStored).toEqual([0, 1]);
    expect(messages(deps).map((message) => message.text)).toEqual(['first try']);
  });

  it('gives a message resent on a new bind its first id, and the same text sent again on a bind a new id', async () => {
    const { smsc, deps } = await openSmpp();
    await smsc.deliverText(CUSTOMER, '1');
    await smsc.deliverText(CUSTOMER, '1');
    smsc.dropConnections();
    await eventually(() => expect(smsc.binds).toHaveLength(2));
    await smsc.deliverText(CUSTOMER, '1');
    await smsc.deliverText(CUSTOMER, '1');
    const ids = messages(deps).map((message) => message.providerMessageId);
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids[2]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(3); // the copy after the redelivery is the customer's again
  });

  it("uses the SMSC's own message id from a vendor TLV when configured", async () => {
    const { smsc, deps } = await openSmpp({ settings: { inboundIdTag: 0x1501 } });
    const id = { tag: 0x1501, value: Buffer.from('MO-778899\0', 'latin1') };
    await smsc.deliver({ source_addr: CUSTOMER, ...encodeForHandset('ok') }, [id]);
    await smsc.deliver({ source_addr: CUSTOMER, ...encodeForHandset('ok') }, [id]);
    expect(messages(deps).map((message) => message.providerMessageId)).toEqual(['smpp:MO-778899', 'smpp:MO-778899']);
  });
});

describe('SMPP delivery receipts', () => {
  it('maps receipts by TLV or by text: DELIVRD delivered, UNDELIV failed with its err code, ENROUTE nothing', async () => {
    const { smsc, deps } = await openSmpp();
    await smsc.deliverReceipt('a1', { stat: 'DELIVRD', messageState: 2 });
    await smsc.deliverReceipt('a2', { stat: 'UNDELIV', err: '012', tlvs: false });
    await smsc.deliverReceipt('a3', { stat: 'EXPIRED', messageState: 3, text: false });
    expect(await smsc.deliverReceipt('a4', { stat: 'ENROUTE', tlvs: false })).toBe(0);
    expect(statuses(deps)).toEqual([
      { providerMessageId: 'a1', status: 'delivered', at: expect.any(Date) },
      { providerMessageId: 'a2', status: 'failed', errorCode: '012', errorMessage: 'SMSC receipt: UNDELIV (err 012)', at: expect.any(Date) },
      { providerMessageId: 'a3', status: 'failed', errorCode: 'EXPIRED', errorMessage: 'SMSC receipt: EXPIRED', at: expect.any(Date) },
    ]);
    expect(messages(deps)).toHaveLength(0);
  });

  it("maps a failed receipt for any part of a long text to the message, and lets the last part's receipt report delivery", async () => {
    const { smsc, deps, send } = await openSmpp();
    const result = await send('w'.repeat(200));
    const [first, last] = (await smsc.nextMessage()).parts.map((p) => p.messageId!) as [string, string];
    expect(result).toEqual({ ok: true, providerMessageId: last });
    await smsc.deliverReceipt(first, { stat: 'DELIVRD', messageState: 2 });
    await smsc.deliverReceipt(last, { stat: 'DELIVRD', messageState: 2 });
    expect(statuses(deps).map((report) => [report.providerMessageId, report.status])).toEqual([[last, 'delivered']]);
    const again = await send('v'.repeat(200));
    const [firstAgain, lastAgain] = (await smsc.nextMessage()).parts.map((p) => p.messageId!) as [string, string];
    expect(again).toMatchObject({ providerMessageId: lastAgain });
    await smsc.deliverReceipt(firstAgain, { stat: 'UNDELIV', err: '001', messageState: 5 });
    expect(statuses(deps).at(-1)).toMatchObject({ providerMessageId: lastAgain, status: 'failed', errorCode: '001' });
  });

  it('compares ids as decimal when the SMSC writes them in hex on submit and in decimal in receipts', async () => {
    const { smsc, deps, send } = await openSmpp({ settings: { messageIdFormat: 'submit-hex-receipt-decimal' } });
    const result = await send('hex and decimal');
    const hex = (await smsc.nextMessage()).messageId;
    const decimal = BigInt(`0x${hex}`).toString(10);
    expect(result).toEqual({ ok: true, providerMessageId: decimal });
    await smsc.deliverReceipt(decimal, { stat: 'DELIVRD', tlvs: false });
    expect(statuses(deps)).toMatchObject([{ providerMessageId: decimal, status: 'delivered' }]);
  });
});
