import { BufferJSON, initAuthCreds, proto, type AuthenticationCreds, type AuthenticationState, type SignalDataTypeMap } from '@whiskeysockets/baileys';
import type { AuthStateStore } from '../channel.ts';

/** The `kind` and `key` under which the account's credentials are stored (signal keys use their type and id). */
const CREDS = { kind: 'creds', key: 'creds' } as const;

/**
 * Buffers and Uint8Arrays as `{ type: 'Buffer', data: <base64> }` (Baileys' own BufferJSON, as its
 * file store writes them), so keys survive a jsonb round trip byte for byte.
 */
const encode = (value: unknown) => JSON.parse(JSON.stringify(value, BufferJSON.replacer)) as unknown;
const decode = <T>(stored: unknown): T => JSON.parse(JSON.stringify(stored ?? null), BufferJSON.reviver) as T;

export type PostgresAuthState = {
  /** Baileys' `auth`: creds, and the signal keys read and written straight through to PostgreSQL. */
  state: AuthenticationState;
  /** Writes the current creds (call on every `creds.update`). */
  saveCreds(): Promise<void>;
  /** Forgets the account (logged out): the next session starts unpaired and shows a QR. */
  clear(): Promise<void>;
};

/**
 * Baileys' auth state over the channel's rows in `channel_auth_state`, modelled on its
 * `useMultiFileAuthState` (which is for demos: files tie a session to one machine). Any node that
 * takes the channel's lease resumes the same account. Writes go through one queue so a late creds
 * save can never land after `clear`, and nothing is written once cleared.
 */
export async function loadAuthState(store: AuthStateStore): Promise<PostgresAuthState> {
  const stored = (await store.get(CREDS.kind, [CREDS.key])).get(CREDS.key);
  const creds: AuthenticationCreds = stored === undefined ? initAuthCreds() : decode<AuthenticationCreds>(stored);
  let writes: Promise<unknown> = Promise.resolve();
  let cleared = false;
  /** Runs writes one after another; a failed write is reported to its caller, not to the next one. */
  const enqueue = (write: () => Promise<void>): Promise<void> => {
    const next = writes.then(write);
    writes = next.catch(() => {});
    return next;
  };
  const queue = (write: () => Promise<void>) => enqueue(async () => (cleared ? undefined : write()));

  return {
    state: {
      creds,
      keys: {
        async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
          const found = await store.get(type, ids);
          const result: { [id: string]: SignalDataTypeMap[T] } = {};
          for (const [id, value] of found) {
            const decoded = decode<SignalDataTypeMap[T]>(value);
            // As Baileys' file store does: app-state keys are protobuf messages, not plain objects.
            result[id] = (type === 'app-state-sync-key' ? proto.Message.AppStateSyncKeyData.fromObject(decoded as object) : decoded) as SignalDataTypeMap[T];
          }
          return result;
        },
        set(data) {
          const entries: { kind: string; key: string; value: unknown }[] = [];
          for (const [type, values] of Object.entries(data)) {
            for (const [id, value] of Object.entries(values ?? {})) {
              // null (or undefined) deletes the key; the store does deletes and writes in one transaction.
              entries.push({ kind: type, key: id, value: value === null || value === undefined ? null : encode(value) });
            }
          }
          return queue(() => store.set(entries));
        },
      },
    },
    saveCreds: () => queue(() => store.set([{ ...CREDS, value: encode(creds) }])),
    clear() {
      cleared = true; // writes still queued are dropped: they would be deleted anyway
      return enqueue(() => store.clear());
    },
  };
}
