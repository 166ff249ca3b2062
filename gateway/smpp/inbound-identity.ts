import { createHash, randomBytes } from 'node:crypto';
import type { AuthStateStore } from '../channel.ts';

/**
 * An SMSC resends a deliver_sm whose deliver_sm_resp it did not get: the bind dropped after we stored
 * the message but before our answer reached it. SMPP 3.4 gives an inbound message no id, so a resent
 * one is known by its content: the same sender, recipient and octets, seen on an EARLIER bind within
 * this window. The same content on the same bind is a new message (the SMSC had our answer: TCP
 * delivers in order), so a customer who answers "1" to two menus in a row keeps both answers.
 */
export const REDELIVERY_WINDOW_MS = 10 * 60_000;

/** Recent inbound identities live in a fixed ring of slots (hash → slot), so the store never grows. */
const SLOTS = 1024;
const KIND = 'smpp-mo-seen';

type Seen = { hash: string; id: string; at: number; bindId: string };

export const contentHash = (...fields: (string | number | Buffer)[]) => {
  const hash = createHash('sha256');
  for (const value of fields) hash.update(Buffer.isBuffer(value) ? value : String(value)).update('\u0000');
  return hash.digest('hex');
};

const slotOf = (hash: string) => String(Number.parseInt(hash.slice(0, 8), 16) % SLOTS);

/** Ids of inbound messages, stable across a redelivery, even after a crash or on another node (kept in PostgreSQL). */
export function inboundIdentities(store: AuthStateStore, now: () => number = Date.now) {
  async function lookup(hash: string): Promise<Seen | undefined> {
    const seen = (await store.get(KIND, [slotOf(hash)])).get(slotOf(hash)) as Seen | undefined;
    return seen && seen.hash === hash && now() - seen.at < REDELIVERY_WINDOW_MS ? seen : undefined;
  }
  async function remember(seen: Seen) {
    await store.set([{ kind: KIND, key: slotOf(seen.hash), value: seen }]);
  }
  return {
    /**
     * The id for a single (unconcatenated) message: the earlier id when this is a redelivery (same
     * content from an earlier bind, within the window), else a new one, remembered BEFORE the message
     * is stored so a crash in between still finds it.
     */
    async singleId(hash: string, bindId: string): Promise<string> {
      const seen = await lookup(hash);
      if (seen && seen.bindId !== bindId) {
        // Now known on this bind: the same text again on it is the customer's, not the SMSC's.
        await remember({ ...seen, at: now(), bindId });
        return seen.id;
      }
      // Unique even for two copies in one millisecond: stability comes from remembering it, not from deriving it.
      const id = `smpp:${hash.slice(0, 24)}:${now().toString(36)}${randomBytes(3).toString('hex')}`;
      await remember({ hash, id, at: now(), bindId });
      return id;
    },
    /** True when a concatenated message with this identity was assembled and stored within the window. */
    async wasAssembled(hash: string): Promise<boolean> {
      return (await lookup(hash)) !== undefined;
    },
    async markAssembled(hash: string, id: string, bindId: string) {
      await remember({ hash, id, at: now(), bindId });
    },
  };
}

/** Serializes work per key (one identity at a time), so two copies of one message never race each other. */
export function keyedQueue() {
  const tails = new Map<string, Promise<unknown>>();
  return function run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => {});
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
}
