import { parse, Submit } from 'node-pdu';
import { describe, expect, it } from 'vitest';
import { measureSms } from '../../messages/sms-encoding.ts';
import { deliverPdu, statusReportPdu } from './testing/fake-modem-pdu.ts';
import { gsmSeptets, gsmText, packSeptets, unpackSeptets } from './gsm-alphabet.ts';
import { segmentText } from './sms-segments.ts';
import { decodePdu, submitPdus } from './sms-pdu.ts';

const submitted = (hex: string) => {
  const parsed = parse(hex);
  if (!(parsed instanceof Submit)) throw new Error('not an SMS-SUBMIT');
  return parsed;
};

describe('SMS encoding for modems', () => {
  it.each([
    ['plain GSM-7', 'Hello, world!', 'gsm7', 1],
    ['GSM-7 with extension characters and §', 'Total €10 [x] {y} ~|^\\ § ok', 'gsm7', 1],
    ['160 GSM-7 characters in one SMS', 'a'.repeat(160), 'gsm7', 1],
    ['161 GSM-7 characters in two', 'a'.repeat(161), 'gsm7', 2],
    ['81 euro signs count double: two parts', '€'.repeat(81), 'gsm7', 2],
    ['a character outside GSM makes it UCS-2', 'Olá, tudo bem?', 'ucs2', 1],
    ['70 UCS-2 units in one SMS', 'ó'.repeat(70), 'ucs2', 1],
    ['emoji are two UCS-2 units', '😀'.repeat(36), 'ucs2', 2],
  ])('%s', (_name, text, encoding, parts) => {
    const segmented = segmentText(text);
    expect(segmented).toMatchObject({ encoding, segments: { length: parts } });
    expect(segmented.segments.map((segment) => segment.text).join('')).toBe(text);
    // What the platform stores as the message's measure agrees with what goes out.
    expect(measureSms(text)).toMatchObject({ encoding: encoding === 'gsm7' ? 'GSM-7' : 'UCS-2', segments: parts });
  });

  it('never splits an escape from its character, nor an emoji from its other half', () => {
    const gsm = segmentText(`${'a'.repeat(152)}€${'b'.repeat(10)}`);
    expect(gsm.segments.map((segment) => segment.septets!.length)).toEqual([152, 12]);
    const ucs2 = segmentText(`${'ó'.repeat(66)}😀${'ó'.repeat(10)}`);
    expect(ucs2.segments.map((segment) => segment.text.length)).toEqual([66, 12]);
  });

  it('packs septets after the fill bits a 6-octet UDH needs, and back', () => {
    const septets = gsmSeptets('§ Ñoño €5 @home')!;
    for (const fill of [0, 1, 6]) expect(gsmText(unpackSeptets(packSeptets(septets, fill), septets.length, fill))).toBe('§ Ñoño €5 @home');
    expect(packSeptets(gsmSeptets('hellohello')!)).toBe('E8329BFD4697D9EC37'); // 23.040's classic example
  });

  it('frames concatenated parts with the 8-bit reference UDH and a delivery report request', () => {
    const text = 'x'.repeat(150) + 'fin del mensaje [ok]';
    const pdus = submitPdus('+59899123456', segmentText(text), { reference: 0x2a, statusReport: true });
    expect(pdus).toHaveLength(2);
    pdus.forEach((pdu, index) => {
      const parsed = submitted(pdu.hex);
      expect(pdu.hex.startsWith('00')).toBe(true);
      expect(pdu.tpduLength).toBe(pdu.hex.length / 2 - 1);
      expect(parsed.type.statusReportRequest).toBe(1);
      expect(parsed.address.phone).toBe('59899123456');
      expect(parsed.data.parts[0]!.header!.toString()).toBe(`0500032A020${index + 1}`);
    });
    expect(pdus.map((pdu) => submitted(pdu.hex).data.getText()).join('')).toBe(text);
  });

  it('encodes UCS-2 parts as UTF-16 big-endian', () => {
    const [pdu] = submitPdus('+59899123456', segmentText('¿Qué? 👍'), { reference: 1, statusReport: false });
    const parsed = submitted(pdu!.hex);
    expect(parsed.dataCodingScheme.getValue()).toBe(0x08);
    expect(parsed.data.getText()).toBe('¿Qué? 👍');
  });
});

describe('reading PDUs from the modem', () => {
  it('reads an SMS-DELIVER, with or without the SMSC in front', () => {
    const hex = '07919730071111F1000B919746121611F10000811170021222230DC8329BFD6681EE6F399B1C02';
    const expected = {
      kind: 'deliver',
      sender: '+79642161111',
      alphanumericSender: false,
      text: 'Hello, world!',
      concat: null,
      sentAt: new Date('2018-11-07T12:21:22Z'),
    };
    expect(decodePdu(hex)).toEqual(expected);
    expect(decodePdu(hex.slice(16), (hex.length - 16) / 2)).toEqual(expected);
  });

  it('reads a concatenated GSM-7 part and an alphanumeric sender', () => {
    const { pdu, tpduLength } = deliverPdu({
      from: 'MyBank',
      text: 'Su còdigo § es 1234',
      at: new Date('2025-01-01T10:00:00Z'),
      concat: { reference: 200, total: 2, sequence: 2 },
    });
    expect(decodePdu(pdu, tpduLength)).toEqual({
      kind: 'deliver',
      sender: 'MyBank',
      alphanumericSender: true,
      text: 'Su còdigo § es 1234',
      sentAt: new Date('2025-01-01T10:00:00Z'),
      concat: { reference: 200, total: 2, sequence: 2 },
    });
  });

  it('reads an SMS-STATUS-REPORT', () => {
    expect(decodePdu('07911326040011F006270B911326880736F4111011719551401110117195714000')).toMatchObject({ kind: 'report', reference: 0x27, status: 0 });
    const { pdu } = statusReportPdu({ reference: 255, recipient: '+59899123456', status: 0x46, at: new Date('2025-01-01T10:00:00Z') });
    expect(decodePdu(pdu)).toEqual({ kind: 'report', reference: 255, status: 0x46, recipient: '59899123456', at: new Date('2025-01-01T10:00:00Z') });
  });
});
