import type { PDU } from 'smpp';
import type { AuthStateStore } from '../channel.ts';
import { decodeOctets } from './smpp-text.ts';

/** Where one part sits in a concatenated message (3GPP TS 23.040 §9.2.3.24.1 / .8, or SMPP sar_* TLVs). */
export type PartPosition = { scheme: 'udh8' | 'udh16' | 'sar'; reference: number; total: number; sequence: number };

/**
 * The concatenation header of a received message, from its UDH (8-bit reference `00 03 ref n i`,
 * 16-bit `08 04 refHi refLo n i`) or its sar_* TLVs; null for a message that stands alone.
 */
export function partPosition(pdu: PDU, udh: readonly Buffer[]): PartPosition | null {
  let position: PartPosition | null = null;
  for (const element of udh) {
    if (element[0] === 0x00 && element[1] === 3 && element.length >= 5) {
      position = { scheme: 'udh8', reference: element[2]!, total: element[3]!, sequence: element[4]! };
    } else if (element[0] === 0x08 && element[1] === 4 && element.length >= 6) {
      position = { scheme: 'udh16', reference: element.readUInt16BE(2), total: element[4]!, sequence: element[5]! };
    }
  }
  if (!position && typeof pdu.sar_msg_ref_num === 'number' && typeof pdu.sar_total_segments === 'number' && typeof pdu.sar_segment_seqnum === 'number') {
    position = { scheme: 'sar', reference: pdu.sar_msg_ref_num, total: pdu.sar_total_segments, sequence: pdu.sar_segment_seqnum };
  }
  if (!position || position.total < 2 || position.sequence < 1 || position.sequence > position.total) return null;
  return position;
}

/** One received part: its octets (joined before decoding), or its text when only the `smpp` package could read it. */
export type StoredPart = { at: number; dataCoding: number; octets?: string; text?: string };

const KIND = 'smpp-mo-part';

/**
 * Parts wait in PostgreSQL until the last one arrives, so a part the SMSC saw acknowledged is never
 * lost to a crash or a move to another node. A part left over past a day (its siblings never came)
 * is ignored, so an 8-bit reference that comes round again starts clean.
 */
export const PART_TTL_MS = 24 * 60 * 60_000;

export function inboundParts(store: AuthStateStore, now: () => number = Date.now) {
  const keys = (identity: string, total: number) => Array.from({ length: total }, (_, i) => `${identity}:${i + 1}`);
  return {
    /** Stores one part (a redelivered part keeps its first arrival) and returns every part once all are in. */
    async add(identity: string, position: PartPosition, part: Omit<StoredPart, 'at'>): Promise<StoredPart[] | null> {
      const all = keys(identity, position.total);
      const found = await store.get(KIND, all);
      const fresh = (value: unknown): value is StoredPart => !!value && now() - (value as StoredPart).at < PART_TTL_MS;
      const key = all[position.sequence - 1]!;
      if (!fresh(found.get(key))) {
        const stored: StoredPart = { ...part, at: now() };
        await store.set([{ kind: KIND, key, value: stored }]);
        found.set(key, stored);
      }
      const parts = all.map((k) => found.get(k));
      return parts.every(fresh) ? (parts as StoredPart[]) : null;
    },
    async remove(identity: string, total: number) {
      await store.set(keys(identity, total).map((key) => ({ kind: KIND, key, value: null })));
    },
  };
}

/** The whole text: octets joined then decoded (an escape or surrogate pair may straddle parts), else texts joined. */
export function assembleText(parts: readonly StoredPart[]): string {
  const dataCoding = parts[0]!.dataCoding;
  if (parts.every((part) => part.octets !== undefined && part.dataCoding === dataCoding)) {
    return decodeOctets(dataCoding, Buffer.concat(parts.map((part) => Buffer.from(part.octets!, 'base64'))));
  }
  return parts.map((part) => part.text ?? decodeOctets(part.dataCoding, Buffer.from(part.octets ?? '', 'base64'))).join('');
}
