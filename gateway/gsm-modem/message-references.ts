import type { AuthStateStore } from '../channel.ts';

/** What one message reference (TP-MR) of one modem last stood for. */
export type ReferenceEntry = {
  /** The provider id of the message this reference was last used for. */
  id: string;
  /** How many messages this reference has been used for: the suffix that keeps provider ids unique. */
  uses: number;
  /** The last part of its message: only its delivery report says the whole message arrived. */
  last: boolean;
};

export type MessageReferences = {
  /** Records the references a message's parts got (`+CMGS: <mr>`, in order) and returns its provider id. */
  record(modem: string, references: readonly number[]): Promise<string>;
  /** The message a delivery report's reference points to, if we sent it. */
  lookup(modem: string, reference: number): Promise<ReferenceEntry | null>;
};

const KIND = 'gsm-modem-reference';

/**
 * The bridge from a delivery report to the message it reports on. A modem numbers what it sends with
 * a one-byte reference that wraps at 255 (and restarts when the modem does), so the provider id is
 * `<modem>:<mr of the last part>`, with `.<n>` added the n-th time that reference comes round
 * (`dongle0:17`, later `dongle0:17.2`): unique for the channel forever, as the database requires.
 * Each reference's latest use is kept in the channel's auth state (PostgreSQL), so a report that
 * arrives after a restart or on another node still finds its message; a report for a reference
 * reused since (255 sends later) is attributed to the newer message.
 */
export function createMessageReferences(store: AuthStateStore): MessageReferences {
  const cache = new Map<string, ReferenceEntry>();
  let chain: Promise<unknown> = Promise.resolve();
  const key = (modem: string, reference: number) => `${modem}:${reference}`;

  async function load(keys: string[]) {
    const missing = keys.filter((k) => !cache.has(k));
    if (missing.length > 0) {
      const stored = await store.get(KIND, missing);
      for (const [k, value] of stored) cache.set(k, value as ReferenceEntry);
    }
    return keys.map((k) => cache.get(k));
  }

  async function record(modem: string, references: readonly number[]) {
    const keys = references.map((reference) => key(modem, reference));
    const previous = await load(keys);
    const lastIndex = references.length - 1;
    const lastUses = (previous[lastIndex]?.uses ?? 0) + 1;
    const id = lastUses === 1 ? keys[lastIndex]! : `${keys[lastIndex]}.${lastUses}`;
    const entries = keys.map((k, index) => ({ kind: KIND, key: k, value: { id, uses: (previous[index]?.uses ?? 0) + 1, last: index === lastIndex } }));
    // In memory first: a delivery report can come back before the database write completes.
    for (const entry of entries) cache.set(entry.key, entry.value);
    await store.set(entries);
    return id;
  }

  return {
    record(modem, references) {
      // One at a time: two sends must not both read the same use count of a reference.
      const result = chain.then(() => record(modem, references));
      chain = result.catch(() => {});
      return result;
    },
    async lookup(modem, reference) {
      const [entry] = await load([key(modem, reference)]);
      return entry ?? null;
    },
  };
}
