import { expect } from 'vitest';
import type { ChannelDeps, ChannelRow } from '../../channel.ts';
import { recordingChannelDeps, type RecordingDeps } from '../../../test/harness/channel-deps.ts';
import { eventually } from '../../../test/harness/test-platform.ts';
import { createBaileysChannelWith } from '../baileys-channel.ts';
import { createFakeWhatsApp, type FakeWhatsApp } from './fake-whatsapp.ts';
import { OUR_PHONE } from './baileys-fixture.ts';

export { CUSTOMER, CUSTOMER_JID, OUR_PHONE } from './baileys-fixture.ts';

/** A `baileys` channel row as the admin API stores it. */
export function baileysRow(overrides: Partial<ChannelRow> = {}): ChannelRow {
  return {
    id: 7,
    type: 'baileys',
    name: 'whatsapp-web',
    address: `+${OUR_PHONE}`,
    defaultCountry: 'UY',
    settings: {},
    secrets: {},
    enabled: true,
    sendsPerSecond: null,
    createdAt: new Date(),
    updatedAt: new Date(),
    ...overrides,
  };
}

/** An adapter on a fake WhatsApp, with recording deps; `stopAll` in afterEach stops what was started. */
export function baileysKit() {
  const started: (() => Promise<void>)[] = [];
  return {
    async stopAll() {
      await Promise.all(started.splice(0).map((stop) => stop()));
    },
    /** Builds the adapter; `start` unless told otherwise, and waits for `open` when the fake pairs by itself. */
    async channel(options: { row?: Partial<ChannelRow>; deps?: Partial<ChannelDeps>; whatsapp?: FakeWhatsApp; start?: boolean; waitOpen?: boolean } = {}) {
      const whatsapp = options.whatsapp ?? createFakeWhatsApp({ phone: OUR_PHONE, registered: ['5491123456789'], autoPair: true });
      const deps: RecordingDeps = recordingChannelDeps(options.deps);
      const channel = createBaileysChannelWith(whatsapp.makeSocket)(baileysRow(options.row), deps);
      if (options.start !== false) {
        started.push(() => channel.session!.stop());
        await channel.session!.start();
        if (options.waitOpen !== false) await eventually(() => expect(deps.states.at(-1)).toMatchObject({ state: 'open' }));
      }
      return { whatsapp, deps, channel };
    },
  };
}

/** Everything the adapter handed to `deps.receive`, flattened. */
export const receivedMessages = (deps: RecordingDeps) => deps.received.flatMap((content) => content.messages);
export const receivedStatuses = (deps: RecordingDeps) => deps.received.flatMap((content) => content.statuses);

/**
 * Lets the in-memory chain (fake socket ticks, handlers, recording deps) run, for tests on fake
 * timers where `eventually` would advance the clock itself: polls on setImmediate, never on time.
 */
export async function settled(check: () => void): Promise<void> {
  for (let round = 0; ; round++) {
    await new Promise((resolve) => setImmediate(resolve));
    try {
      check();
      return;
    } catch (error) {
      if (round > 500) throw error;
    }
  }
}
