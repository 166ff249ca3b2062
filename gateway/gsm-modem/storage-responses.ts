import { textOfGsmBytes } from './gsm-alphabet.ts';

/** A stored message as PDU mode lists it: its slot, the PDU, and the TPDU length the modem states. */
export type PduEntry = { index: number; pdu: string; length: number };
/** A stored received SMS as text mode lists it (`AT+CSCS="GSM"`). */
export type TextEntry = { index: number; sender: string; sentAt: Date; sentAtText: string; text: string };

/** Splits `a,"b,c",,d` into fields, unquoted. */
export function splitFields(value: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      fields.push(field.trim());
      field = '';
    } else field += char;
  }
  fields.push(field.trim());
  return fields;
}

/** `yy/MM/dd,hh:mm:ss±zz` (zz in quarters of an hour) as a Date; now when the modem gives none. */
export function parseTextTimestamp(value: string): Date {
  const match = /^(\d\d)\/(\d\d)\/(\d\d),(\d\d):(\d\d):(\d\d)([+-]\d+)?$/.exec(value.trim());
  if (!match) return new Date();
  const [, yy, mo, dd, hh, mi, ss, zone] = match.map(Number) as number[];
  return new Date(Date.UTC(2000 + yy!, mo! - 1, dd, hh, mi, ss) - (zone ?? 0) * 15 * 60_000);
}

/** `+CMGR: <stat>,[<alpha>],<length>` then the PDU line. */
export function parsePduRead(index: number, lines: readonly string[]): PduEntry | null {
  const at = lines.findIndex((line) => line.startsWith('+CMGR:'));
  const pdu = lines[at + 1];
  if (at < 0 || !pdu) return null;
  return { index, pdu: pdu.trim(), length: Number(splitFields(lines[at]!.slice(6)).at(-1)) };
}

/** `+CMGL: <index>,<stat>,[<alpha>],<length>`, each followed by its PDU line. */
export function parsePduListing(lines: readonly string[]): PduEntry[] {
  const entries: PduEntry[] = [];
  lines.forEach((line, at) => {
    const pdu = lines[at + 1];
    if (!line.startsWith('+CMGL:') || !pdu || pdu.startsWith('+CMGL:')) return;
    const fields = splitFields(line.slice(6));
    entries.push({ index: Number(fields[0]), pdu: pdu.trim(), length: Number(fields.at(-1)) });
  });
  return entries;
}

const bodyText = (lines: readonly string[]) => textOfGsmBytes(Buffer.from(lines.join('\n'), 'latin1'));

/** `+CMGR: <stat>,<oa>,[<alpha>],<scts>` then the text (possibly several lines). Stored outgoing messages are skipped. */
export function parseTextRead(index: number, lines: readonly string[]): TextEntry | null {
  const at = lines.findIndex((line) => line.startsWith('+CMGR:'));
  if (at < 0) return null;
  const [status = '', sender = '', , sentAtText = ''] = splitFields(lines[at]!.slice(6));
  if (!status.startsWith('REC')) return null;
  return { index, sender, sentAt: parseTextTimestamp(sentAtText), sentAtText, text: bodyText(lines.slice(at + 1)) };
}

/** `+CMGL: <index>,<stat>,<oa>,[<alpha>],<scts>`, each followed by its text up to the next entry. */
export function parseTextListing(lines: readonly string[]): TextEntry[] {
  const entries: TextEntry[] = [];
  let current: { header: string[]; body: string[] } | null = null;
  const flush = () => {
    if (!current) return;
    const [index = '', status = '', sender = '', , sentAtText = ''] = current.header;
    if (status.startsWith('REC'))
      entries.push({ index: Number(index), sender, sentAt: parseTextTimestamp(sentAtText), sentAtText, text: bodyText(current.body) });
  };
  for (const line of lines) {
    if (line.startsWith('+CMGL:')) {
      flush();
      current = { header: splitFields(line.slice(6)), body: [] };
    } else current?.body.push(line);
  }
  flush();
  return entries;
}
