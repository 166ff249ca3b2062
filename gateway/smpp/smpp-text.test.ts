import { describe, expect, it } from 'vitest';
import { reportedAddress, sourceAddress } from './smpp-addresses.ts';
import { smppSecretsSchema, smppSettingsSchema } from './smpp-settings.ts';
import { decodeOctets, encodeText, receivedOctets } from './smpp-text.ts';

const settings = (extra: Record<string, unknown> = {}) => smppSettingsSchema.parse({ host: 'smsc.example.com', systemId: 'acme', ...extra });

describe('SMPP text encoding', () => {
  it('fits 160 GSM, 140 Latin-1 and 70 UCS-2 characters in one message, with € counting twice', () => {
    expect(encodeText('a'.repeat(160), 'gsm').parts).toHaveLength(1);
    expect(encodeText(`${'a'.repeat(159)}€`, 'gsm').parts).toHaveLength(2);
    expect(encodeText('ñ'.repeat(140), 'latin1')).toMatchObject({ dataCoding: 0x03, parts: [expect.any(Buffer)] });
    expect(encodeText('ж'.repeat(70), 'gsm')).toMatchObject({ dataCoding: 0x08, parts: [expect.any(Buffer)] });
    expect(encodeText('ж'.repeat(71), 'gsm').parts.map((part) => part.length)).toEqual([134, 8]);
  });

  it('never separates a GSM escape from its character at a part boundary', () => {
    const { parts } = encodeText(`${'a'.repeat(152)}€${'b'.repeat(10)}`, 'gsm');
    expect(parts.map((part) => part.length)).toEqual([152, 12]);
    expect([...parts[1]!.subarray(0, 2)]).toEqual([0x1b, 0x65]);
  });

  it('reads data_coding groups: GSM with a message class, binary data named instead of shown, Cyrillic', () => {
    expect(decodeOctets(0xf1, Buffer.from([0x48, 0x00]))).toBe('H@');
    expect(decodeOctets(0xf5, Buffer.from([1, 2, 3]))).toBe('[binary message, 3 octets, data_coding 0xf5]');
    expect(decodeOctets(0x06, Buffer.from([0xbf, 0xe0, 0xd8, 0xd2, 0xd5, 0xe2]))).toBe('Привет');
    // What the `smpp` package decoded is turned back into the exact octets, lone surrogate included.
    expect(receivedOctets(0x08, 'a\ud83d')).toEqual(Buffer.from([0x00, 0x61, 0xd8, 0x3d]));
    expect(receivedOctets(0x00, '€\x1B')).toEqual(Buffer.from([0x1b, 0x65, 0x1b]));
  });
});

describe('SMPP addresses and settings', () => {
  it('guesses the sender TON/NPI unless the channel sets them', () => {
    expect(sourceAddress(settings(), '+59899000111')).toEqual({ addr: '59899000111', ton: 1, npi: 1 });
    expect(sourceAddress(settings({ sourceAddress: 'ACME' }), null)).toEqual({ addr: 'ACME', ton: 5, npi: 0 });
    expect(sourceAddress(settings({ sourceAddress: '5050' }), null)).toEqual({ addr: '5050', ton: 0, npi: 1 });
    expect(sourceAddress(settings({ sourceAddress: '5050', sourceTon: 3, sourceNpi: 0 }), null)).toEqual({ addr: '5050', ton: 3, npi: 0 });
  });

  it('reads reported addresses by TON: international, national in the channel country, unknown, alphanumeric', () => {
    expect(reportedAddress('59899246810', 1, 'UY')).toBe('+59899246810');
    expect(reportedAddress('099246810', 2, 'UY')).toBe('+59899246810');
    expect(reportedAddress('59899246810', 0, 'UY')).toBe('+59899246810');
    expect(reportedAddress('Movistar', 5, 'UY')).toBe('Movistar');
  });

  it('refuses an alphanumeric sender longer than 11 characters and a bind without its password', () => {
    expect(smppSettingsSchema.safeParse({ host: 'h', systemId: 's', sourceAddress: 'ACME Online Shop' }).success).toBe(false);
    expect(settings()).toMatchObject({ port: 2775, bindMode: 'transceiver', interfaceVersion: 0x34, windowSize: 10, dataCoding: 'gsm', registeredDelivery: 1 });
    expect(smppSecretsSchema.safeParse({}).success).toBe(false);
  });
});
