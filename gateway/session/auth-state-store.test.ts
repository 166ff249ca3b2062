import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelLeases } from '../../db/schema/index.ts';
import { buildSimulatorChannel } from '../../test/harness/factories.ts';
import { startTestPlatform, type TestPlatform } from '../../test/harness/test-platform.ts';
import { createAuthStateStore } from './auth-state-store.ts';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ ROLES: 'http' });
});
afterAll(() => platform.close());

describe('session auth state in PostgreSQL', () => {
  it('returns every JSON value as it was stored, strings of digits included', async () => {
    const channel = await buildSimulatorChannel(platform.services.db);
    const store = createAuthStateStore(platform.services.db, channel.id);
    const values: Record<string, unknown> = {
      digits: '5491123456789',
      text: 'hello',
      number: 42,
      flag: false,
      nested: { key: { type: 'Buffer', data: randomBytes(8).toString('base64') }, list: [1, '2', null] },
    };
    await store.set(Object.entries(values).map(([key, value]) => ({ kind: 'creds', key, value })));
    const read = await store.get('creds', [...Object.keys(values), 'missing']);
    expect(Object.fromEntries(read)).toEqual(values);
    await store.set([
      { kind: 'creds', key: 'digits', value: null },
      { kind: 'creds', key: 'text', value: 'replaced' },
    ]);
    expect(Object.fromEntries(await store.get('creds', ['digits', 'text']))).toEqual({ text: 'replaced' });
    await store.clear();
    expect((await store.get('creds', Object.keys(values))).size).toBe(0);
  });

  it("refuses writes from a node that does not hold the channel's lease", async () => {
    const { db } = platform.services;
    const channel = await buildSimulatorChannel(db);
    const holder = createAuthStateStore(db, channel.id, { nodeId: 'node-a' });
    const stale = createAuthStateStore(db, channel.id, { nodeId: 'node-b' });
    await db.insert(channelLeases).values({ channelId: channel.id, nodeId: 'node-a', expiresAt: new Date(Date.now() + 60_000) });
    await holder.set([{ kind: 'creds', key: 'me', value: { id: '1' } }]);
    await expect(stale.set([{ kind: 'creds', key: 'me', value: { id: 'stale' } }])).rejects.toThrow('no longer holds the session');
    await expect(stale.clear()).rejects.toThrow('no longer holds the session');
    expect(Object.fromEntries(await holder.get('creds', ['me']))).toEqual({ me: { id: '1' } });
    // Within one call the last write wins, a deletion included.
    await holder.set([
      { kind: 'creds', key: 'me', value: { id: '2' } },
      { kind: 'creds', key: 'me', value: null },
    ]);
    expect((await holder.get('creds', ['me'])).size).toBe(0);
  });
});
