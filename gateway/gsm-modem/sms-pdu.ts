import { Deliver, Report, Submit, parse, utils } from 'node-pdu';
import { gsmText, packSeptets, unpackSeptets } from './gsm-alphabet.ts';
import type { SegmentedText } from './sms-segments.ts';

const { Data, DCS, Header, Part, SCAType, SubmitType } = utils;

/** One SMS-SUBMIT for `AT+CMGS=<tpduLength>`: the hex starts with `00` (use the SIM's SMSC), which the length leaves out. */
export type SubmitPdu = { hex: string; tpduLength: number };

/** The part of a concatenated SMS a PDU carries (its UDH). */
export type Concatenation = { reference: number; total: number; sequence: number };

/** What a PDU read from the modem holds: a received SMS, a delivery report, or something we leave alone. */
export type DecodedPdu =
  | { kind: 'deliver'; sender: string; alphanumericSender: boolean; text: string; sentAt: Date; concat: Concatenation | null }
  | { kind: 'report'; reference: number; status: number; recipient: string; at: Date }
  | { kind: 'other' };

/** The concatenation UDH (IEI 00, 8-bit reference): `05 00 03 <ref> <total> <seq>`; 6 octets, so GSM-7 text then needs 1 fill bit. */
const concatHeader = (reference: number, total: number, sequence: number) =>
  new Header([
    {
      type: Header.IE_CONCAT_8BIT_REF,
      dataHex: [reference & 0xff, total, sequence]
        .map((n) => n.toString(16).padStart(2, '0'))
        .join('')
        .toUpperCase(),
    },
  ]);

/**
 * SMS-SUBMIT PDUs for a text already split into parts, in order. node-pdu frames each PDU (first
 * octet, destination, PID, DCS); we give it the user data so parts carry the 8-bit reference UDH
 * and GSM-7 uses the standard alphabet (node-pdu's own split uses a 16-bit reference and 133-char parts).
 */
export function submitPdus(to: string, text: SegmentedText, options: { reference: number; statusReport: boolean }): SubmitPdu[] {
  const total = text.segments.length;
  return text.segments.map((segment, index) => {
    const header = total > 1 ? concatHeader(options.reference, total, index + 1) : undefined;
    const headerOctets = header ? 1 + header.getSize() : 0;
    let userData: string;
    let userDataLength: number;
    if (text.encoding === 'gsm7') {
      const headerSeptets = Math.ceil((headerOctets * 8) / 7);
      userData = packSeptets(segment.septets!, headerSeptets * 7 - headerOctets * 8);
      userDataLength = headerSeptets + segment.septets!.length;
    } else {
      userData = Buffer.from(segment.text, 'utf16le').swap16().toString('hex').toUpperCase();
      userDataLength = headerOctets + userData.length / 2;
    }
    const submit = new Submit(to, new Data({ parts: [new Part(userData, userDataLength, segment.text, header)] }), {
      type: new SubmitType({ statusReportRequest: options.statusReport ? 1 : 0, userDataHeader: header ? 1 : 0 }),
      dataCodingScheme: new DCS().setTextAlphabet(text.encoding === 'gsm7' ? DCS.ALPHABET_DEFAULT : DCS.ALPHABET_UCS2),
    });
    const hex = submit.getPartStrings()[0]!;
    if (!hex.startsWith('00')) throw new Error('an SMS-SUBMIT must leave the SMSC to the SIM');
    return { hex, tpduLength: hex.length / 2 - 1 };
  });
}

/**
 * Decodes a PDU as `+CMGR`, `+CMGL`, `+CMT` or `+CDS` give it: the SMSC address first (27.005),
 * unless the modem leaves it out, which `tpduLength` (the length the modem states) reveals.
 */
export function decodePdu(hex: string, tpduLength?: number): DecodedPdu {
  const clean = hex.trim();
  const parsed = parse(tpduLength !== undefined && clean.length / 2 === tpduLength ? `00${clean}` : clean);
  if (parsed instanceof Report) {
    return {
      kind: 'report',
      reference: parsed.reference,
      status: parsed.status,
      recipient: parsed.address.phone ?? '',
      at: new Date(parsed.discharge.time * 1000),
    };
  }
  if (!(parsed instanceof Deliver)) return { kind: 'other' };
  const part = parsed.data.parts[0];
  const header = part?.header ?? null;
  let text: string;
  if (part && parsed.dataCodingScheme.textAlphabet === DCS.ALPHABET_DEFAULT) {
    const headerOctets = header ? 1 + header.getSize() : 0;
    const headerSeptets = Math.ceil((headerOctets * 8) / 7);
    text = gsmText(unpackSeptets(part.data, part.size - headerSeptets, headerSeptets * 7 - headerOctets * 8));
  } else {
    text = parsed.data.getText();
  }
  const total = header?.getSegments() ?? 1;
  const concat =
    header && header.getType() !== undefined && total > 1 ? { reference: header.getPointer() ?? 0, total, sequence: header.getCurrent() ?? 1 } : null;
  const alphanumericSender = parsed.address.type.type === SCAType.TYPE_ALPHANUMERICAL;
  const digits = parsed.address.phone ?? '';
  return {
    kind: 'deliver',
    sender: !alphanumericSender && parsed.address.type.type === SCAType.TYPE_INTERNATIONAL ? `+${digits}` : digits,
    alphanumericSender,
    text,
    sentAt: new Date(parsed.serviceCenterTimeStamp.time * 1000),
    concat,
  };
}
