import type { Concatenation } from './sms-pdu.ts';

/** One part of a concatenated SMS, and the storage slots holding it (a part the network resent sits in two). */
export type ReceivedPart = { sequence: number; text: string; sentAt: Date; indices: number[] };

/** The parts of one concatenated SMS seen so far. */
export type PartSet = {
  sender: string;
  alphanumericSender: boolean;
  reference: number;
  total: number;
  parts: Map<number, ReceivedPart>;
  /** When the first part was seen (ms), for giving up on the others. */
  firstSeen: number;
};

export type PartAssembly = {
  /** Adds a part (from its slot, or `index` null for a part pushed with +CMT); returns its set. */
  add(part: { sender: string; alphanumericSender: boolean; text: string; sentAt: Date; concat: Concatenation }, index: number | null, now: number): PartSet;
  isComplete(set: PartSet): boolean;
  remove(set: PartSet): void;
  /** After a full listing: forgets slots no longer in storage (someone deleted them) and sets left empty. */
  keepOnly(indices: ReadonlySet<number>): void;
  /** Sets still incomplete `timeoutMs` after their first part was seen. */
  expired(now: number, timeoutMs: number): PartSet[];
};

/**
 * Concatenated SMS being put back together. The parts stay in the modem's storage until the whole
 * message is stored, so this memory is only an index of them: a restart rebuilds it from the listing.
 */
export function createPartAssembly(): PartAssembly {
  const sets = new Map<string, PartSet>();
  const keyOf = (sender: string, concat: Concatenation) => `${sender}\u0000${concat.reference}\u0000${concat.total}`;
  return {
    add(part, index, now) {
      const key = keyOf(part.sender, part.concat);
      let set = sets.get(key);
      if (!set) {
        set = {
          sender: part.sender,
          alphanumericSender: part.alphanumericSender,
          reference: part.concat.reference,
          total: part.concat.total,
          parts: new Map(),
          firstSeen: now,
        };
        sets.set(key, set);
      }
      const known = set.parts.get(part.concat.sequence);
      if (known) {
        if (index !== null && !known.indices.includes(index)) known.indices.push(index);
      } else {
        set.parts.set(part.concat.sequence, { sequence: part.concat.sequence, text: part.text, sentAt: part.sentAt, indices: index === null ? [] : [index] });
      }
      return set;
    },
    isComplete: (set) => set.parts.size >= set.total,
    remove(set) {
      for (const [key, value] of sets) if (value === set) sets.delete(key);
    },
    keepOnly(indices) {
      for (const [key, set] of sets) {
        for (const [sequence, part] of set.parts) {
          // Parts pushed with +CMT have no slot: they live only here.
          if (part.indices.length === 0) continue;
          part.indices = part.indices.filter((index) => indices.has(index));
          if (part.indices.length === 0) set.parts.delete(sequence);
        }
        if (set.parts.size === 0) sets.delete(key);
      }
    },
    expired: (now, timeoutMs) => [...sets.values()].filter((set) => now - set.firstSeen >= timeoutMs),
  };
}
