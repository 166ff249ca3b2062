import { makeWASocket } from '@whiskeysockets/baileys';
import { expect, it } from 'vitest';
import { recordingChannelDeps } from '../../test/harness/channel-deps.ts';
import { eventually } from '../../test/harness/test-platform.ts';
import { createBaileysChannelWith } from './baileys-channel.ts';
import { baileysRow } from './testing/baileys-test-kit.ts';

const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

// Baileys' real makeWASocket with the adapter's config, pointed at a local port nobody listens on:
// the real library accepts the config and the auth state, its connection error leads to a reconnect
// with backoff, and stop leaves none of its timers behind.
it("runs Baileys' real socket: a refused connection is retried with backoff, and stop cleans up", async () => {
  const before = timers();
  const deps = recordingChannelDeps();
  const channel = createBaileysChannelWith((config) => makeWASocket({ ...config, waWebSocketUrl: 'ws://127.0.0.1:9/ws/chat' }))(baileysRow(), deps);
  await channel.session!.start();
  await eventually(() =>
    expect(deps.states.at(-1)).toMatchObject({
      state: 'connecting',
      detail: expect.stringMatching(/^connection closed \(408: WebSocket Error .*retrying in 1 s$/),
    }),
  );
  await channel.session!.stop();
  expect(timers()).toBeLessThanOrEqual(before);
});
