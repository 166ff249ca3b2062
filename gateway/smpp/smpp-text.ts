import smpp from 'smpp';

export type Alphabet = 'gsm' | 'latin1' | 'ucs2';

/** data_coding values (SMPP 3.4 §5.2.19): SMSC default alphabet (GSM 03.38), Latin-1, UCS-2. */
export const DATA_CODING: Record<Alphabet, number> = { gsm: 0x00, latin1: 0x03, ucs2: 0x08 };

/**
 * Octets per message: one part alone, or one part of a concatenated text (6 octets go to the UDH:
 * 153 GSM characters, 134 Latin-1 octets, 67 UCS-2 characters). GSM is sent unpacked, one septet
 * per octet, so a GSM "octet" here is a character (an escaped one takes two).
 */
const SINGLE_LIMIT: Record<Alphabet, number> = { gsm: 160, latin1: 140, ucs2: 140 };
const PART_LIMIT: Record<Alphabet, number> = { gsm: 153, latin1: 134, ucs2: 134 };

/** The SMPP short_message holds at most 254 octets; message_payload up to 64 KB. */
export const MAX_PAYLOAD_OCTETS = 65_535;

const isGsm = (text: string) => smpp.encodings.ASCII.match(text) && !text.includes('\x1B');
// biome-ignore lint/suspicious/noControlCharactersInRegex: Latin-1 is U+0000–U+00FF, control characters included; the range must start at U+0000
const isLatin1 = (text: string) => /^[\u0000-\u00ff]*$/.test(text);

/** GSM 03.38 when the text fits it (or Latin-1 when the SMSC needs that), else UCS-2. */
export function chooseAlphabet(text: string, policy: 'gsm' | 'latin1'): Alphabet {
  if (policy === 'gsm' && isGsm(text)) return 'gsm';
  if (policy === 'latin1' && isLatin1(text)) return 'latin1';
  return 'ucs2';
}

function utf16be(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

/** The text as octets, cut into characters that must stay together (an escape and its code, a surrogate pair). */
function encodeCharacters(text: string, alphabet: Alphabet): Buffer[] {
  const bytes = alphabet === 'gsm' ? smpp.gsmCoder.encode(text, 0x00) : alphabet === 'latin1' ? Buffer.from(text, 'latin1') : utf16be(text);
  const characters: Buffer[] = [];
  for (let i = 0; i < bytes.length; ) {
    let size = 1;
    if (alphabet === 'gsm' && bytes[i] === 0x1b) size = 2;
    if (alphabet === 'ucs2') {
      const unit = bytes.readUInt16BE(i);
      size = unit >= 0xd800 && unit <= 0xdbff && i + 4 <= bytes.length ? 4 : 2;
    }
    characters.push(bytes.subarray(i, i + size));
    i += size;
  }
  return characters;
}

export type EncodedText = {
  alphabet: Alphabet;
  dataCoding: number;
  /** All the octets (for message_payload). */
  bytes: Buffer;
  /** One entry when the text fits one message, else the concatenation parts (without their UDH). */
  parts: Buffer[];
};

/** Encodes a text for submit_sm and cuts it into parts that never split a character. */
export function encodeText(text: string, policy: 'gsm' | 'latin1'): EncodedText {
  const alphabet = chooseAlphabet(text, policy);
  const characters = encodeCharacters(text, alphabet);
  const bytes = Buffer.concat(characters);
  if (bytes.length <= SINGLE_LIMIT[alphabet]) return { alphabet, dataCoding: DATA_CODING[alphabet], bytes, parts: [bytes] };
  const parts: Buffer[] = [];
  let current: Buffer[] = [];
  let size = 0;
  for (const character of characters) {
    if (size + character.length > PART_LIMIT[alphabet]) {
      parts.push(Buffer.concat(current));
      current = [];
      size = 0;
    }
    current.push(character);
    size += character.length;
  }
  parts.push(Buffer.concat(current));
  return { alphabet, dataCoding: DATA_CODING[alphabet], bytes, parts };
}

/** The 8-bit-reference concatenation UDH (3GPP TS 23.040 §9.2.3.24.1): `05 00 03 ref total seq`. */
export function concatenationUdh(reference: number, total: number, sequence: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, reference & 0xff, total, sequence]);
}

/** How a data_coding value's octets are read (SMPP 3.4 §5.2.19 and GSM 03.38 coding groups). */
type Reading = 'gsm' | 'ascii' | 'latin1' | 'ucs2' | 'cyrillic' | 'hebrew' | 'binary';

function reading(dataCoding: number): Reading {
  if ((dataCoding & 0xf0) === 0xf0) return dataCoding & 0x04 ? 'binary' : 'gsm'; // data coding / message class group
  if ((dataCoding & 0xc0) === 0x00 && dataCoding & 0x20) return 'binary'; // compressed text
  switch (dataCoding & 0x0f) {
    case 0x00:
      return 'gsm';
    case 0x01:
      return 'ascii';
    case 0x03:
      return 'latin1';
    case 0x06:
      return 'cyrillic';
    case 0x07:
      return 'hebrew';
    case 0x08:
      return 'ucs2';
    default:
      return 'binary';
  }
}

/**
 * The octets of a received short_message / message_payload. The `smpp` package hands them over
 * decoded by `data_coding & 0x0F` (0 and 1 as GSM, 3 as Latin-1, 8 as UTF-16BE; others as a Buffer);
 * each of those decodings is undone exactly here, so parts can be joined as octets before decoding
 * (an escape or a surrogate pair may straddle two parts).
 */
export function receivedOctets(dataCoding: number, message: string | Buffer): Buffer {
  if (Buffer.isBuffer(message)) return message;
  switch (dataCoding & 0x0f) {
    case 0x00:
    case 0x01:
      return smpp.gsmCoder.encode(message, 0x00);
    case 0x03:
      return Buffer.from(message, 'latin1');
    case 0x08:
      return utf16be(message);
    default:
      return Buffer.from(message, 'latin1');
  }
}

/** The text of received octets; a binary message (ringtone, OTA settings…) is named, not shown. */
export function decodeOctets(dataCoding: number, octets: Buffer): string {
  switch (reading(dataCoding)) {
    case 'gsm':
      return smpp.gsmCoder.decode(octets, 0x00);
    case 'ascii':
      return octets.toString('ascii');
    case 'latin1':
      return octets.toString('latin1');
    case 'ucs2':
      return Buffer.from(octets.subarray(0, octets.length - (octets.length % 2)))
        .swap16()
        .toString('utf16le');
    case 'cyrillic':
      return new TextDecoder('iso-8859-5').decode(octets);
    case 'hebrew':
      return new TextDecoder('iso-8859-8').decode(octets);
    case 'binary':
      return `[binary message, ${octets.length} octets, data_coding 0x${dataCoding.toString(16).padStart(2, '0')}]`;
  }
}
