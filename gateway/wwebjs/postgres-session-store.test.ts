import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, type Database } from '../../db/connection.ts';
import { channelAuthState, channels } from '../../db/schema/index.ts';
import { recordingChannelDeps } from '../../test/harness/channel-deps.ts';
import { createTestDatabase } from '../../test/harness/test-database.ts';
import { eventually } from '../../test/harness/test-platform.ts';
import type { ChannelRow } from '../channel.ts';
import { createAuthStateStore } from '../session/auth-state-store.ts';
import { FakeWhatsApp } from './testing/fake-wwebjs.ts';
import { createPostgresSessionStore, SESSION_KIND } from './postgres-session-store.ts';
import { createWwebjsChannel } from './wwebjs-channel.ts';

let database: { url: string; drop: () => Promise<void> };
let connection: Database;
let row: ChannelRow;
let dataPath: string;

beforeAll(async () => {
  database = await createTestDatabase();
  connection = connectDatabase(database.url, { max: 2 });
  [row] = (await connection.db
    .insert(channels)
    .values({ type: 'wwebjs', name: `wwebjs-store-${randomBytes(3).toString('hex')}`, address: '+59899000111', settings: {} })
    .returning()) as [ChannelRow];
  dataPath = await fs.mkdtemp(path.join(os.tmpdir(), 'wwebjs-store-test-'));
});
afterAll(async () => {
  await connection?.close();
  await database?.drop();
  await fs.rm(dataPath, { recursive: true, force: true });
});

const storedRows = () =>
  connection.db
    .select({ key: channelAuthState.key })
    .from(channelAuthState)
    .where(and(eq(channelAuthState.channelId, row.id), eq(channelAuthState.kind, SESSION_KIND)));

describe('RemoteAuth store over channel_auth_state', () => {
  it('keeps a profile zip in PostgreSQL chunks and gives back the same bytes', async () => {
    const store = createPostgresSessionStore(createAuthStateStore(connection.db, row.id), dataPath);
    const session = 'RemoteAuth-channel-1';
    expect(await store.sessionExists({ session })).toBe(false);

    const big = randomBytes(1_600_000); // 2.1 M base64 characters: three rows
    await fs.writeFile(path.join(dataPath, `${session}.zip`), big);
    await store.save({ session });
    expect(await store.sessionExists({ session })).toBe(true);
    expect(await storedRows()).toHaveLength(4); // three chunks and the manifest
    await store.extract({ session, path: path.join(dataPath, 'restored.zip') });
    expect((await fs.readFile(path.join(dataPath, 'restored.zip'))).equals(big)).toBe(true);

    const small = randomBytes(1000);
    await fs.writeFile(path.join(dataPath, `${session}.zip`), small);
    await store.save({ session });
    expect(await storedRows(), 'the chunks of the bigger copy are gone').toHaveLength(2);
    await store.extract({ session, path: path.join(dataPath, 'restored.zip') });
    expect((await fs.readFile(path.join(dataPath, 'restored.zip'))).equals(small)).toBe(true);

    await store.delete({ session });
    expect(await store.sessionExists({ session })).toBe(false);
    expect(await storedRows()).toHaveLength(0);
  });

  it('refuses a damaged copy instead of starting the browser on it', async () => {
    const store = createPostgresSessionStore(createAuthStateStore(connection.db, row.id), dataPath);
    const session = 'RemoteAuth-channel-2';
    await fs.writeFile(path.join(dataPath, `${session}.zip`), randomBytes(5000));
    await store.save({ session });
    await connection.db
      .update(channelAuthState)
      .set({ value: sql`jsonb_build_object('base64', 'AAAA')` })
      .where(and(eq(channelAuthState.channelId, row.id), eq(channelAuthState.key, `${session}/chunk/0`)));
    await expect(store.extract({ session, path: path.join(dataPath, 'damaged.zip') })).rejects.toThrow(/damaged/);
    await store.delete({ session });
  });

  it('resumes a paired session on a new start (another node) from PostgreSQL alone, without a QR', async () => {
    const whatsapp = new FakeWhatsApp();
    const authState = () => createAuthStateStore(connection.db, row.id);
    const first = recordingChannelDeps({ authState });
    const channel = createWwebjsChannel(row, first, { load: async () => whatsapp.library(), reconnectDelayMs: () => 0 });
    await channel.session!.start();
    await eventually(() => expect(first.states.at(-1)).toMatchObject({ state: 'qr' }));
    await whatsapp.scan();
    await eventually(() => expect(first.states.at(-1)).toMatchObject({ state: 'open' }));
    await channel.session!.stop();
    expect((await storedRows()).length).toBeGreaterThan(0);

    const second = recordingChannelDeps({ authState });
    const again = createWwebjsChannel(row, second, { load: async () => whatsapp.library(), reconnectDelayMs: () => 0 });
    await again.session!.start();
    try {
      await eventually(() => expect(second.states.at(-1)).toMatchObject({ state: 'open', detail: '+59899000111' }));
      expect(second.states.map((state) => state.state)).not.toContain('qr');
    } finally {
      await again.session!.stop();
    }
  });
});
