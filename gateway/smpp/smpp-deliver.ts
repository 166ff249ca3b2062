import smpp, { type PDU } from 'smpp';
import type { ChannelDeps, ChannelRow, InboundMessage } from '../channel.ts';
import { contentHash, inboundIdentities, keyedQueue } from './inbound-identity.ts';
import { assembleText, inboundParts, partPosition } from './inbound-parts.ts';
import { reportedAddress } from './smpp-addresses.ts';
import { parseReceipt } from './smpp-receipt.ts';
import type { SmppSettings } from './smpp-settings.ts';
import { decodeOctets, receivedOctets } from './smpp-text.ts';
import { sentParts } from './sent-parts.ts';

/** esm_class message type bits (SMPP 3.4 §5.2.12): 0x04 is an SMSC delivery receipt; 0 a plain message. */
const MESSAGE_TYPE_MASK = 0x3c;
const DELIVERY_RECEIPT = 0x04;

type Body = { udh: Buffer[]; octets: Buffer | null; text: string };

/**
 * The user data of a deliver_sm / data_sm, from message_payload when present else short_message,
 * as the `smpp` package decoded it ({ udh?, message }). With a national language shift table in the
 * UDH only the package's own reading of the text is available.
 */
function messageBody(pdu: PDU): Body {
  const value: unknown = pdu.message_payload ?? pdu.short_message;
  const dataCoding = typeof pdu.data_coding === 'number' ? pdu.data_coding : 0;
  const wrapped =
    value && typeof value === 'object' && !Buffer.isBuffer(value)
      ? (value as { udh?: Buffer[]; message?: string | Buffer })
      : { message: value as string | Buffer | undefined };
  const udh = Array.isArray(wrapped.udh) ? wrapped.udh : [];
  const message = wrapped.message ?? Buffer.alloc(0);
  if (typeof message === 'string' && udh.some((element) => element[0] === 0x24 || element[0] === 0x25)) return { udh, octets: null, text: message };
  const octets = receivedOctets(dataCoding, message);
  return { udh, octets, text: decodeOctets(dataCoding, octets) };
}

/**
 * Stores what an SMSC delivers over the bind: delivery receipts as status reports, messages (joined
 * from their parts) once each. Resolves only after PostgreSQL has them; the link answers
 * deliver_sm_resp after that, so an acknowledged message is never lost.
 */
export function createDeliverHandler(row: ChannelRow, deps: ChannelDeps, settings: SmppSettings) {
  const store = deps.authState(row.id);
  const identities = inboundIdentities(store);
  const parts = inboundParts(store);
  const sent = sentParts(store);
  const serially = keyedQueue();

  function vendorMessageId(pdu: PDU): string | undefined {
    if (settings.inboundIdTag === undefined) return undefined;
    const value: unknown = pdu[smpp.tlvsById[settings.inboundIdTag]?.tag ?? String(settings.inboundIdTag)];
    const text = Buffer.isBuffer(value) ? value.toString('latin1') : value === undefined || value === null ? '' : String(value);
    return text.replace(/\0+$/, '').trim() || undefined;
  }

  async function receipt(pdu: PDU, text: string) {
    const report = parseReceipt(pdu, text, settings.messageIdFormat);
    if (!report) return;
    const partId = report.providerMessageId;
    const messageId = await sent.messageOf(partId);
    if (messageId && report.status !== 'failed') return sent.forget(partId); // the last part's receipt speaks for the message
    if (messageId) report.providerMessageId = messageId;
    await deps.receive(row.id, { messages: [], statuses: [report] });
    if (messageId) await sent.forget(partId);
  }

  async function message(pdu: PDU, body: Body, bindId: string) {
    const from = reportedAddress(String(pdu.source_addr ?? ''), Number(pdu.source_addr_ton ?? 0), row.defaultCountry);
    const to = pdu.destination_addr ? reportedAddress(String(pdu.destination_addr), Number(pdu.dest_addr_ton ?? 0), row.defaultCountry) : row.address;
    const dataCoding = typeof pdu.data_coding === 'number' ? pdu.data_coding : 0;
    const inbound = (providerMessageId: string, text: string, parts?: number): InboundMessage => ({
      channelId: row.id,
      from,
      to,
      text,
      media: [],
      providerMessageId,
      timestamp: new Date(),
      metadata: { provider: 'smpp', dataCoding, ...(parts ? { parts } : {}) },
    });
    const position = partPosition(pdu, body.udh);
    if (!position) {
      const hash = contentHash('single', from, to ?? '', dataCoding, body.octets ?? body.text);
      const vendorId = vendorMessageId(pdu);
      await serially(hash, async () => {
        const id = vendorId ? `smpp:${vendorId}` : await identities.singleId(hash, bindId);
        await deps.receive(row.id, { messages: [inbound(id, body.text)], statuses: [] });
      });
      return;
    }
    const identity = contentHash('parts', from, to ?? '', position.scheme, position.reference, position.total);
    await serially(identity, async () => {
      if (await identities.wasAssembled(identity)) return; // a part resent after its message was stored
      const stored = body.octets ? { dataCoding, octets: body.octets.toString('base64') } : { dataCoding, text: body.text };
      const all = await parts.add(identity, position, stored);
      if (!all) return; // kept until its siblings arrive
      // Derived from what is stored, so a crash before the parts are removed gives the same id again.
      const id = `smpp:${identity.slice(0, 32)}:${Math.min(...all.map((part) => part.at)).toString(36)}`;
      await deps.receive(row.id, { messages: [inbound(id, assembleText(all), position.total)], statuses: [] });
      await identities.markAssembled(identity, id, bindId);
      await parts.remove(identity, position.total);
    });
  }

  return async function deliver(pdu: PDU, bindId: string): Promise<void> {
    const body = messageBody(pdu);
    const type = Number(pdu.esm_class ?? 0) & MESSAGE_TYPE_MASK;
    if (type === DELIVERY_RECEIPT) return receipt(pdu, body.text);
    if (type !== 0) return; // SME acknowledgements and intermediate notifications end nothing
    return message(pdu, body, bindId);
  };
}
