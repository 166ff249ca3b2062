/**
 * The GSM 03.38 (3GPP TS 23.038) default alphabet and its extension table, and septet packing.
 * Our own table rather than node-pdu's: its table puts '`' where '§' belongs (0x5F) and has no form
 * feed, so it would silently turn those characters into spaces. Twilio's segment calculator (what
 * `measureSms` counts with) follows the standard, and so does this.
 */
const BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const ESCAPE = 0x1b;
/** Extension characters, sent as ESC + code (they count as two septets). */
const EXTENSION: Record<string, number> = { '\f': 0x0a, '^': 0x14, '{': 0x28, '}': 0x29, '\\': 0x2f, '[': 0x3c, '~': 0x3d, ']': 0x3e, '|': 0x40, '€': 0x65 };
const EXTENSION_CHARS = new Map(Object.entries(EXTENSION).map(([char, code]) => [code, char]));
const BASIC_CODES = new Map([...BASIC].map((char, code) => [char, code]));

/** The septets of a text in the GSM default alphabet, or null when a character needs UCS-2. */
export function gsmSeptets(text: string): number[] | null {
  const septets: number[] = [];
  for (const char of text) {
    const code = char === '\u001b' ? undefined : BASIC_CODES.get(char);
    if (code !== undefined) septets.push(code);
    else if (EXTENSION[char] !== undefined) septets.push(ESCAPE, EXTENSION[char]);
    else return null;
  }
  return septets;
}

/** Text from GSM septets (an unknown extension code reads as its basic character, as 23.038 asks). */
export function gsmText(septets: readonly number[]): string {
  let text = '';
  for (let i = 0; i < septets.length; i++) {
    const code = septets[i]! & 0x7f;
    if (code === ESCAPE && i + 1 < septets.length) {
      const next = septets[++i]! & 0x7f;
      text += EXTENSION_CHARS.get(next) ?? BASIC[next] ?? '';
    } else if (code !== ESCAPE) {
      text += BASIC[code] ?? '';
    }
  }
  return text;
}

/**
 * Packs septets into octets (hex), least significant bit first, after `fillBits` zero bits: the
 * padding that aligns text to a septet boundary after a user data header (1 bit after a 6-octet UDH).
 */
export function packSeptets(septets: readonly number[], fillBits = 0): string {
  const octets: number[] = [];
  let buffer = 0;
  let bits = fillBits;
  for (const septet of septets) {
    buffer |= (septet & 0x7f) << bits;
    bits += 7;
    while (bits >= 8) {
      octets.push(buffer & 0xff);
      buffer >>>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) octets.push(buffer & 0xff);
  return Buffer.from(octets).toString('hex').toUpperCase();
}

/** Unpacks `count` septets from packed octets (hex) that start with `fillBits` padding bits. */
export function unpackSeptets(hex: string, count: number, fillBits = 0): number[] {
  const octets = Buffer.from(hex, 'hex');
  const septets: number[] = [];
  let buffer = 0;
  let bits = 0;
  let position = 0;
  let skip = fillBits;
  while (septets.length < count) {
    if (bits < 7 + skip) {
      if (position >= octets.length) break;
      buffer |= octets[position++]! << bits;
      bits += 8;
      continue;
    }
    buffer >>>= skip;
    bits -= skip;
    skip = 0;
    septets.push(buffer & 0x7f);
    buffer >>>= 7;
    bits -= 7;
  }
  return septets;
}

/** A text as the bytes of the modem's "GSM" character set (`AT+CSCS="GSM"`, text mode): one septet per byte. */
export const gsmBytes = (text: string): Buffer | null => {
  const septets = gsmSeptets(text);
  return septets && Buffer.from(septets);
};

/** Bytes in the modem's "GSM" character set back to text. */
export const textOfGsmBytes = (bytes: Buffer): string => gsmText([...bytes]);
