import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { AuthStateStore } from '../channel.ts';
import type { RemoteSessionStore } from './wwebjs-library.ts';

/** The kind of this channel's rows in `channel_auth_state`. */
export const SESSION_KIND = 'wwebjs-session';

/** Base64 characters per row: a profile zip of tens of MB becomes a few dozen rows, each well under jsonb's limits. */
const CHUNK_CHARS = 1_000_000;

const manifestSchema = z.object({ chunks: z.number().int().positive(), bytes: z.number().int().nonnegative(), sha256: z.string(), savedAt: z.string() });
type Manifest = z.infer<typeof manifestSchema>;
const chunkSchema = z.object({ base64: z.string() });

const manifestKey = (session: string) => `${session}/manifest`;
const chunkKey = (session: string, index: number) => `${session}/chunk/${index}`;
const range = (count: number) => Array.from({ length: count }, (_, index) => index);

/**
 * RemoteAuth's store over the channel's auth state in PostgreSQL: the zipped browser profile as
 * base64 chunks plus a manifest (count, size, SHA-256), replaced in one transaction.
 *
 * RemoteAuth writes the zip to `<dataPath>/<session>.zip` but passes `save` only the session name
 * (src/authStrategies/RemoteAuth.js, `compressSession`/`storeRemoteSession`), so the store is told
 * the same `dataPath` to find it. `extract` gets the full target path.
 */
export function createPostgresSessionStore(auth: AuthStateStore, dataPath: string): RemoteSessionStore {
  async function manifest(session: string): Promise<Manifest | undefined> {
    const value = (await auth.get(SESSION_KIND, [manifestKey(session)])).get(manifestKey(session));
    const parsed = manifestSchema.safeParse(value);
    return parsed.success ? parsed.data : undefined;
  }

  return {
    async sessionExists({ session }) {
      return (await manifest(session)) !== undefined;
    },
    async save({ session }) {
      const zip = await fs.readFile(path.join(dataPath, `${session}.zip`));
      const base64 = zip.toString('base64');
      const chunks = range(Math.max(1, Math.ceil(base64.length / CHUNK_CHARS))).map((index) => base64.slice(index * CHUNK_CHARS, (index + 1) * CHUNK_CHARS));
      const previous = await manifest(session);
      const next: Manifest = {
        chunks: chunks.length,
        bytes: zip.length,
        sha256: createHash('sha256').update(zip).digest('hex'),
        savedAt: new Date().toISOString(),
      };
      // One session holder writes (the channel's lease), so reading the old count first is no race.
      const stale = range(previous?.chunks ?? 0).filter((index) => index >= chunks.length);
      await auth.set([
        ...chunks.map((chunk, index) => ({ kind: SESSION_KIND, key: chunkKey(session, index), value: { base64: chunk } })),
        ...stale.map((index) => ({ kind: SESSION_KIND, key: chunkKey(session, index), value: null })),
        { kind: SESSION_KIND, key: manifestKey(session), value: next },
      ]);
    },
    async extract({ session, path: target }) {
      const stored = await manifest(session);
      if (!stored) throw new Error(`no stored WhatsApp Web session "${session}"`);
      const keys = range(stored.chunks).map((index) => chunkKey(session, index));
      const values = await auth.get(SESSION_KIND, keys);
      const zip = Buffer.from(keys.map((key) => chunkSchema.parse(values.get(key)).base64).join(''), 'base64');
      if (zip.length !== stored.bytes || createHash('sha256').update(zip).digest('hex') !== stored.sha256) {
        throw new Error(`the stored WhatsApp Web session "${session}" is damaged (size or checksum differs): pair the number again`);
      }
      await fs.writeFile(target, zip, { mode: 0o600 });
    },
    async delete({ session }) {
      const stored = await manifest(session);
      await auth.set([
        { kind: SESSION_KIND, key: manifestKey(session), value: null },
        ...range(stored?.chunks ?? 0).map((index) => ({ kind: SESSION_KIND, key: chunkKey(session, index), value: null })),
      ]);
    },
  };
}
