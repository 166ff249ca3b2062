import { describe, expect, it } from 'vitest';
import { measureSms } from './sms-encoding.ts';

describe('SMS encoding and segments', () => {
  it.each([
    ['plain ASCII', 'Hello', 'GSM-7', 1],
    ['160 GSM-7 characters fit one segment', 'a'.repeat(160), 'GSM-7', 1],
    ['161 split into 153 + 8', 'a'.repeat(161), 'GSM-7', 2],
    ['306 = two full concatenated parts', 'a'.repeat(306), 'GSM-7', 2],
    ['307 needs a third part', 'a'.repeat(307), 'GSM-7', 3],
    ['€ counts double: 80 fill one segment', '€'.repeat(80), 'GSM-7', 1],
    ['€ counts double: 81 overflow', '€'.repeat(81), 'GSM-7', 2],
    ['[ ] { } | ~ ^ \\ count double', '[]{}|~^\\'.repeat(10), 'GSM-7', 1],
    ['the same, one more pair, overflows', '[]{}|~^\\'.repeat(10) + '[', 'GSM-7', 2],
    ['é, ñ, ü are in the GSM-7 table', 'ñandú'.replace('ú', 'u') + ' é ü', 'GSM-7', 1],
    ['á and ç are not: UCS-2', 'Olá, ação', 'UCS-2', 1],
    ['70 UCS-2 characters fit one segment', 'ç'.repeat(70), 'UCS-2', 1],
    ['71 split into 67 + 4', 'ç'.repeat(71), 'UCS-2', 2],
    ['an emoji takes two UCS-2 units', '😀'.repeat(35), 'UCS-2', 1],
    ['36 emoji overflow', '😀'.repeat(36), 'UCS-2', 2],
  ])('%s', (_label, text, encoding, count) => {
    const measure = measureSms(text);
    expect(measure.encoding).toBe(encoding);
    expect(measure.segments).toBe(count);
  });

  it('names the characters that force UCS-2, once each', () => {
    expect(measureSms('Olá ação ã').nonGsmCharacters.sort()).toEqual(['á', 'ã', 'ç']);
  });
});
