import { onTestFinished } from 'vitest';
import { recordingChannelDeps } from '../../../test/harness/channel-deps.ts';
import type { ChannelDeps, ChannelRow } from '../../channel.ts';
import { createFakeModem, type FakeModem, type FakeModemOptions } from './fake-modem.ts';
import { createFakeSerialPorts } from './fake-serial-ports.ts';
import { createModemChannel } from '../modem-channel.ts';
import type { ModemTiming } from '../modem-link.ts';

/** Short waits for tests; never asserted on. */
export const TEST_TIMING: Partial<ModemTiming> = { commandTimeoutMs: 3000, reconnectMinMs: 20, reconnectMaxMs: 200, settleMs: 0 };

type ModemSpec = { name: string; mode?: 'pdu' | 'text'; simNumber?: string; pin?: string; fake?: FakeModemOptions };

/** A gsm_modem channel row as the admin API would store it. */
export function modemChannelRow(modems: ModemSpec[], id = 7): ChannelRow {
  return {
    id,
    type: 'gsm_modem',
    name: `modems-${id}`,
    address: null,
    defaultCountry: 'UY',
    settings: {
      modems: modems.map((modem) => ({
        name: modem.name,
        path: `/dev/fake/${modem.name}`,
        mode: modem.mode ?? 'pdu',
        ...(modem.simNumber ? { simNumber: modem.simNumber } : {}),
      })),
    },
    secrets: Object.fromEntries(modems.filter((modem) => modem.pin).map((modem) => [`pin_${modem.name}`, modem.pin!])),
    enabled: true,
    sendsPerSecond: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  };
}

/**
 * A gsm_modem channel on fake modems (one per spec, plugged at `/dev/fake/<name>`), its session
 * started and stopped after the test; `deps` records what it received and reported.
 */
export async function startModemChannel(modems: ModemSpec[], options: { deps?: Partial<ChannelDeps>; timing?: Partial<ModemTiming>; start?: boolean } = {}) {
  const ports = createFakeSerialPorts();
  const fakes: Record<string, FakeModem> = {};
  for (const modem of modems) {
    fakes[modem.name] = createFakeModem(modem.fake ?? (modem.pin ? { pin: modem.pin } : {}));
    ports.plug(`/dev/fake/${modem.name}`, fakes[modem.name]!);
  }
  const deps = recordingChannelDeps(options.deps);
  const channel = createModemChannel(modemChannelRow(modems), deps, { binding: ports.binding, timing: { ...TEST_TIMING, ...options.timing } });
  onTestFinished(() => channel.session!.stop());
  if (options.start !== false) await channel.session!.start();
  return { channel, deps, ports, fakes, fake: fakes[modems[0]!.name]! };
}

/** A promise with its resolve at hand. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}
