import { expect } from 'vitest';
import type { ChannelDeps, ChannelRow } from '../../channel.ts';
import { recordingChannelDeps, type RecordingDeps } from '../../../test/harness/channel-deps.ts';
import { eventually } from '../../../test/harness/test-platform.ts';
import { startFakeSmsc, type FakeSmsc } from './fake-smsc.ts';
import { createSmppChannelWithTiming, type SmppTiming } from '../smpp-channel.ts';
import { OUR_NUMBER, SMPP_CREDENTIALS } from './smpp-fixture.ts';

/** Quick timings for tests: reconnects in tens of milliseconds, throttling waited out briefly. */
export const TEST_TIMING: SmppTiming = {
  connectTimeoutMs: 2_000,
  reconnectBaseMs: 30,
  reconnectMaxMs: 200,
  refusedBindRetryMs: 60_000,
  stopTimeoutMs: 1_000,
  throttleRetryMs: 10,
  throttleRetries: 2,
};

/** A channel row as the database would hold it, for adapter tests without a platform. */
export function smppRow(port: number, settings: Record<string, unknown> = {}, secrets: Record<string, string> = {}, id = 1): ChannelRow {
  return {
    id,
    type: 'smpp',
    name: `smpp-${id}`,
    address: OUR_NUMBER,
    defaultCountry: 'UY',
    settings: { host: '127.0.0.1', port, systemId: SMPP_CREDENTIALS.systemId, ...settings },
    secrets: { password: SMPP_CREDENTIALS.password, ...secrets },
    enabled: true,
    sendsPerSecond: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  };
}

export type OpenSmpp = Awaited<ReturnType<typeof openSmpp>>;

const opened: (() => Promise<void>)[] = [];

/** Stops every session and fake SMSC a test opened (call from afterEach). */
export async function closeOpened() {
  for (const close of opened.splice(0).reverse()) await close();
}

/** A started SMPP channel bound to a fresh fake SMSC (or to `options.smsc`), open unless `expectOpen: false`. */
export async function openSmpp(
  options: {
    settings?: Record<string, unknown>;
    secrets?: Record<string, string>;
    deps?: RecordingDeps;
    smsc?: FakeSmsc;
    timing?: Partial<SmppTiming>;
    expectOpen?: boolean;
    depsOverrides?: Partial<ChannelDeps>;
  } = {},
) {
  const smsc = options.smsc ?? (await startFakeSmsc(SMPP_CREDENTIALS));
  if (!options.smsc) opened.push(() => smsc.close());
  const deps = options.deps ?? recordingChannelDeps(options.depsOverrides);
  const channel = createSmppChannelWithTiming(smppRow(smsc.port, options.settings, options.secrets), deps, { ...TEST_TIMING, ...options.timing });
  await channel.session!.start();
  opened.push(() => channel.session!.stop());
  if (options.expectOpen !== false) await eventually(() => expect(deps.states.at(-1)?.state).toBe('open'));
  const send = (text: string, messageId = Math.floor(Math.random() * 1e9)) => channel.send({ messageId, to: '+59899246810', text, media: [] });
  return { smsc, deps, channel, send };
}
