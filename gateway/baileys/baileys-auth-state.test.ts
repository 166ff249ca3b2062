import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initAuthCreds, proto } from '@whiskeysockets/baileys';
import { connectDatabase, type Database } from '../../db/connection.ts';
import { channelAuthState, channels } from '../../db/schema/index.ts';
import { createTestDatabase } from '../../test/harness/test-database.ts';
import { eventually } from '../../test/harness/test-platform.ts';
import { createAuthStateStore } from '../session/auth-state-store.ts';
import type { ChannelRow } from '../channel.ts';
import { loadAuthState } from './baileys-auth-state.ts';
import { createFakeWhatsApp, textFrom } from './testing/fake-whatsapp.ts';
import { baileysKit, OUR_PHONE, receivedMessages } from './testing/baileys-test-kit.ts';

let database: Database;
let drop: () => Promise<void>;
const kit = baileysKit();

beforeAll(async () => {
  const created = await createTestDatabase();
  drop = created.drop;
  database = connectDatabase(created.url, { max: 3 });
});
afterEach(() => kit.stopAll());
afterAll(async () => {
  await database?.close();
  await drop?.();
});

async function channelRow(): Promise<ChannelRow> {
  const [row] = await database.db
    .insert(channels)
    .values({ type: 'baileys', name: `baileys-${Math.random().toString(36).slice(2)}`, address: `+${OUR_PHONE}`, defaultCountry: 'UY' })
    .returning();
  return row!;
}

const bytes = (value: Uint8Array | null | undefined) => Buffer.from(value ?? []).toString('hex');

describe('Baileys auth state in PostgreSQL', () => {
  it('keeps creds and every v7 key type with their bytes intact; null deletes', async () => {
    const row = await channelRow();
    const store = createAuthStateStore(database.db, row.id);
    const first = await loadAuthState(store);
    first.state.creds.me = { id: `${OUR_PHONE}:3@s.whatsapp.net`, lid: '123456789012345:3@lid', name: 'Shop' };
    await first.saveCreds();
    const original = initAuthCreds();
    await first.state.keys.set({
      'pre-key': { '1': original.signedIdentityKey, '2': original.noiseKey },
      session: { '5491123456789.0': Buffer.from('session-record\u0000bytes') },
      'sender-key': { 'group@g.us::5491123456789::0': new Uint8Array([0, 1, 2, 255]) },
      'sender-key-memory': { '120363042588447125@g.us': { '5491123456789:0@s.whatsapp.net': true } },
      'app-state-sync-key': {
        AAAAAGZp: { keyData: new Uint8Array([9, 8, 7]), fingerprint: { rawId: 1, currentIndex: 2, deviceIndexes: [0, 3] }, timestamp: 1_700_000_000 },
      },
      'lid-mapping': { '5491123456789': '123456789012345', '123456789012345_reverse': '5491123456789' },
      'device-list': { '5491123456789': ['0', '3'] },
      tctoken: { '5491123456789@s.whatsapp.net': { token: Buffer.from([1, 2, 3]), timestamp: '1700000000' } },
      'identity-key': { '5491123456789.0': new Uint8Array([5, 5, 5]) },
    });

    const again = await loadAuthState(store);
    expect(again.state.creds.me).toEqual(first.state.creds.me);
    expect(bytes(again.state.creds.noiseKey.private)).toBe(bytes(first.state.creds.noiseKey.private));
    expect(bytes(again.state.creds.signedPreKey.signature)).toBe(bytes(first.state.creds.signedPreKey.signature));
    expect(Buffer.isBuffer(again.state.creds.signedIdentityKey.public)).toBe(true);
    const { keys } = again.state;
    const preKeys = await keys.get('pre-key', ['1', '2', '3']);
    expect(Object.keys(preKeys)).toEqual(expect.arrayContaining(['1', '2']));
    expect(preKeys['3']).toBeUndefined();
    expect(bytes(preKeys['1']!.private)).toBe(bytes(original.signedIdentityKey.private));
    expect(bytes((await keys.get('session', ['5491123456789.0']))['5491123456789.0'])).toBe(Buffer.from('session-record\u0000bytes').toString('hex'));
    expect(bytes((await keys.get('sender-key', ['group@g.us::5491123456789::0']))['group@g.us::5491123456789::0'])).toBe('000102ff');
    expect((await keys.get('sender-key-memory', ['120363042588447125@g.us']))['120363042588447125@g.us']).toEqual({ '5491123456789:0@s.whatsapp.net': true });
    const appStateKey = (await keys.get('app-state-sync-key', ['AAAAAGZp'])).AAAAAGZp!;
    expect(appStateKey).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(bytes(appStateKey.keyData)).toBe('090807');
    expect(await keys.get('lid-mapping', ['123456789012345_reverse'])).toEqual({ '123456789012345_reverse': '5491123456789' });
    expect(await keys.get('device-list', ['5491123456789'])).toEqual({ '5491123456789': ['0', '3'] });
    expect(bytes((await keys.get('tctoken', ['5491123456789@s.whatsapp.net']))['5491123456789@s.whatsapp.net']!.token)).toBe('010203');
    expect(bytes((await keys.get('identity-key', ['5491123456789.0']))['5491123456789.0'])).toBe('050505');

    await keys.set({ 'pre-key': { '1': null }, session: { '5491123456789.0': null } });
    expect(Object.keys(await keys.get('pre-key', ['1', '2']))).toEqual(['2']);
    expect(await keys.get('session', ['5491123456789.0'])).toEqual({});
  });

  it('a restarted adapter resumes the paired account without a QR, LID mappings included; a logout empties the rows', async () => {
    const row = await channelRow();
    const deps = { authState: () => createAuthStateStore(database.db, row.id) };
    const first = await kit.channel({ row, deps });
    const me = first.whatsapp.current().user!.id;
    await first.whatsapp.current().signalRepository.lidMapping.storeLIDPNMappings([{ lid: '222222222222222@lid', pn: '59891234567@s.whatsapp.net' }]);
    const preKey = (await createAuthStateStore(database.db, row.id).get('pre-key', ['1'])).get('1');
    expect(preKey).toMatchObject({ public: { type: 'Buffer', data: expect.any(String) } });
    await first.channel.session!.stop();

    // Another adapter (a restart, or another node taking the lease) over the same rows.
    const whatsapp = createFakeWhatsApp({ phone: OUR_PHONE }); // would wait at the QR if the account were lost
    const second = await kit.channel({ row, deps, whatsapp });
    expect(second.deps.states.map((state) => state.state)).not.toContain('qr');
    expect(whatsapp.current().config.auth!.creds.me!.id).toBe(me);
    const resumedPreKey = (await whatsapp.current().config.auth!.keys.get('pre-key', ['1']))['1'];
    expect(Buffer.from(resumedPreKey!.public).toString('base64')).toBe((preKey as { public: { data: string } }).public.data);
    whatsapp.upsert([textFrom('222222222222222@lid', 'known before the restart')]);
    await eventually(() => expect(receivedMessages(second.deps).map((message) => message.from)).toEqual(['+59891234567']));

    whatsapp.current().close(401, 'Intentional Logout');
    await eventually(() => expect(second.deps.states.at(-1)).toMatchObject({ state: 'logged_out' }));
    expect(await database.db.select().from(channelAuthState).where(eq(channelAuthState.channelId, row.id))).toEqual([]);
  });
});
