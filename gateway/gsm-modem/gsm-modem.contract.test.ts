import { vi } from 'vitest';
import { runChannelContract } from '../../test/harness/channel-contract.ts';
import { gsmModemFixture } from './testing/gsm-modem-fixture.ts';

// The platform builds the channel through its registry, which opens real serial ports. Here, and
// only here, the real ports are swapped for the fake ones the fixture plugs its modem into.
vi.mock('./serial-binding.ts', async () => {
  const { contractSerialPorts } = await import('./testing/fake-serial-ports.ts');
  return { systemSerialBinding: () => contractSerialPorts.binding };
});

runChannelContract(gsmModemFixture());
