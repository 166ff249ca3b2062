import { Deliver, Submit, parse, utils } from 'node-pdu';

/**
 * PDUs as a modem and the network produce them, for the fake modem. Built with node-pdu's own
 * encoders (not the adapter's), so the adapter's decoding is checked against an independent one.
 */
const { Data, DCS, DeliverType, Header, Helper, Part, SCA, SCTS } = utils;

/** The SMSC the fake network uses (the SIM's service centre). */
export const FAKE_SMSC = '+31624000000';

/** An address field as 23.040 writes it: semi-octets swapped, F-padded, after its type. */
function smscField(number: string) {
  const digits = number.replace(/^\+/, '');
  const padded = digits.length % 2 ? `${digits}F` : digits;
  const swapped = padded.replace(/(.)(.)/g, '$2$1');
  return `${(1 + padded.length / 2).toString(16).padStart(2, '0')}91${swapped}`.toUpperCase();
}

/** node-pdu's GSM table has '`' where 23.038 has '§' (0x5F): swap, so the fake speaks the standard. */
const GSM_CHARS = new Set([...Helper.ALPHABET_7BIT.replace('`', '§'), ...Helper.EXTENDED_TABLE.replaceAll('`', '')]);
const fitsGsm = (text: string) => [...text].every((char) => GSM_CHARS.has(char) && char !== '\u001b');

/** A received SMS (SMS-DELIVER) with the SMSC first, and its TPDU length (what `+CMGR: …,<length>` states). */
export function deliverPdu(sms: { from: string; text: string; at: Date; concat?: { reference: number; total: number; sequence: number } }) {
  const header = sms.concat
    ? new Header([
        {
          type: Header.IE_CONCAT_8BIT_REF,
          dataHex: [sms.concat.reference, sms.concat.total, sms.concat.sequence].map((n) => n.toString(16).padStart(2, '0')).join(''),
        },
      ])
    : undefined;
  const gsm = fitsGsm(sms.text);
  let part: InstanceType<typeof Part>;
  if (gsm) {
    const encoded = Helper.encode7Bit(sms.text.replaceAll('§', '`'), header ? 1 : 0);
    // With the 6-octet UDH: 7 septets of header and fill bit, then the text (encode7Bit counted the fill as one).
    part = new Part(encoded.result, header ? 7 + encoded.length - 1 : encoded.length, sms.text, header);
  } else {
    const encoded = Helper.encode16Bit(sms.text);
    part = new Part(encoded.result, encoded.length + (header ? 6 : 0), sms.text, header);
  }
  const pdu = new Deliver(sms.from, new Data({ parts: [part] }), {
    type: new DeliverType({ userDataHeader: header ? 1 : 0 }),
    dataCodingScheme: new DCS().setTextAlphabet(gsm ? DCS.ALPHABET_DEFAULT : DCS.ALPHABET_UCS2),
    serviceCenterTimeStamp: new SCTS(sms.at, 60),
  });
  const tpdu = pdu.getPartStrings()[0]!.slice(2); // node-pdu writes an empty SMSC ("00"): the network's goes there
  return { pdu: smscField(FAKE_SMSC) + tpdu, tpduLength: tpdu.length / 2 };
}

/** An SMS-STATUS-REPORT for message reference `reference` (TP-ST `status`: 0 delivered). */
export function statusReportPdu(report: { reference: number; recipient: string; status: number; at: Date }) {
  const tpdu = [
    '06', // SMS-STATUS-REPORT, no more messages to send
    report.reference.toString(16).padStart(2, '0'),
    new SCA(true).setPhone(report.recipient).toString(),
    new SCTS(new Date(report.at.getTime() - 5000), 60).toString(),
    new SCTS(report.at, 60).toString(),
    report.status.toString(16).padStart(2, '0'),
  ]
    .join('')
    .toUpperCase();
  return { pdu: smscField(FAKE_SMSC) + tpdu, tpduLength: tpdu.length / 2 };
}

/** What an SMS-SUBMIT from the host says, read with node-pdu; null when it is not one. */
export function readSubmit(hex: string) {
  const parsed = parse(hex);
  if (!(parsed instanceof Submit)) return null;
  const header = parsed.data.parts[0]?.header ?? null;
  const gsm = parsed.dataCodingScheme.textAlphabet === DCS.ALPHABET_DEFAULT;
  const smscOctets = 1 + parseInt(hex.slice(0, 2), 16);
  return {
    to: `${parsed.address.type.type === 1 ? '+' : ''}${parsed.address.phone ?? ''}`,
    text: gsm ? parsed.data.getText().replaceAll('`', '§') : parsed.data.getText(),
    statusReport: parsed.type.statusReportRequest === 1,
    concat:
      header && header.getSegments() && header.getSegments()! > 1
        ? { reference: header.getPointer()!, total: header.getSegments()!, sequence: header.getCurrent()! }
        : null,
    tpduLength: hex.length / 2 - smscOctets,
  };
}
