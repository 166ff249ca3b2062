import type { AuthStateStore } from '../channel.ts';

const KIND = 'smpp-sent-part';

/**
 * A long text goes out as several submit_sm, each with its own SMSC message id, and receipts come
 * per part. The message keeps the LAST part's id (the text is readable only once the last part is
 * in); the other parts' ids point to it here, so a failed receipt for any part fails the message.
 * A mapping is dropped when its part's final receipt arrives.
 */
export function sentParts(store: AuthStateStore) {
  return {
    async remember(messageId: string, otherParts: readonly string[]) {
      if (otherParts.length === 0) return;
      await store.set(otherParts.map((key) => ({ kind: KIND, key, value: { messageId } })));
    },
    /** The message a part belongs to, when the id is one of its other parts. */
    async messageOf(partId: string): Promise<string | undefined> {
      const value = (await store.get(KIND, [partId])).get(partId) as { messageId?: string } | undefined;
      return value?.messageId;
    },
    async forget(partId: string) {
      await store.set([{ kind: KIND, key: partId, value: null }]);
    },
  };
}
