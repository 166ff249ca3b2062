import type { PDU } from 'smpp';
import type { StatusReport } from '../channel.ts';
import type { SmppSettings } from './smpp-settings.ts';

/**
 * Some SMSCs write a message id in hex in submit_sm_resp and in decimal in receipts (or the other way
 * round): with `messageIdFormat` set, both sides are stored and compared as decimal.
 */
export function canonicalMessageId(id: string, side: 'submit' | 'receipt', format: SmppSettings['messageIdFormat']): string {
  const trimmed = id.trim();
  if (format === 'as-is') return trimmed;
  const hexSide = format === 'submit-hex-receipt-decimal' ? 'submit' : 'receipt';
  try {
    return side === hexSide ? BigInt(`0x${trimmed}`).toString(10) : BigInt(trimmed).toString(10);
  } catch {
    return trimmed; // not the promised format: compare as sent
  }
}

/** message_state TLV values (SMPP 3.4 §5.3.2.35) that end a message's delivery. */
const FINAL_STATES: Record<number, { status: 'delivered' | 'failed'; stat: string }> = {
  2: { status: 'delivered', stat: 'DELIVRD' },
  3: { status: 'failed', stat: 'EXPIRED' },
  4: { status: 'failed', stat: 'DELETED' },
  5: { status: 'failed', stat: 'UNDELIV' },
  8: { status: 'failed', stat: 'REJECTD' },
};

/** The `stat:` word of a receipt text (SMPP 3.4 Appendix B); ENROUTE, ACCEPTD and UNKNOWN end nothing. */
function statStatus(stat: string): 'delivered' | 'failed' | null {
  const word = stat.toUpperCase();
  if (word.startsWith('DELIV')) return 'delivered';
  if (/^(UNDELIV|REJECT|EXPIRE|DELETE|FAIL)/.test(word)) return 'failed';
  return null;
}

const field = (text: string, name: string) => new RegExp(`(?:^|\\s)${name}:(\\S*)`, 'i').exec(text)?.[1];

/**
 * A delivery receipt (deliver_sm with esm_class 0x04) as a status report: the receipted_message_id
 * and message_state TLVs when the SMSC sends them, else the `id:… stat:… err:…` text. Null for a
 * receipt that ends nothing (ENROUTE, ACCEPTD) or names no message.
 */
export function parseReceipt(pdu: PDU, text: string, format: SmppSettings['messageIdFormat']): StatusReport | null {
  const tlvId = typeof pdu.receipted_message_id === 'string' ? pdu.receipted_message_id : undefined;
  const id = tlvId || field(text, 'id');
  if (!id) return null;
  const fromTlv = typeof pdu.message_state === 'number' ? FINAL_STATES[pdu.message_state] : undefined;
  const stat = field(text, 'stat') ?? fromTlv?.stat ?? '';
  const status = fromTlv?.status ?? statStatus(stat);
  if (!status) return null;
  const report: StatusReport = { providerMessageId: canonicalMessageId(id, 'receipt', format), status, at: new Date() };
  if (status === 'failed') {
    const network = Buffer.isBuffer(pdu.network_error_code) && pdu.network_error_code.length >= 3 ? pdu.network_error_code.readUInt16BE(1) : undefined;
    const err = field(text, 'err') ?? (network === undefined ? undefined : String(network));
    report.errorCode = err ?? stat;
    report.errorMessage = `SMSC receipt: ${stat || 'failed'}${err ? ` (err ${err})` : ''}${network === undefined ? '' : `, network error ${network}`}`;
  }
  return report;
}
