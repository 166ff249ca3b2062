import type { BindingInterface, PortInfo } from '@serialport/bindings-cpp';
import type { FakeModem } from './fake-modem.ts';

export type FakeSerialPorts = {
  /** A serialport binding (what `@serialport/stream` opens ports with) whose ports lead to fake modems. */
  binding: BindingInterface;
  /** Connects a fake modem at a device path. */
  plug(path: string, modem: FakeModem): void;
  /** Ports the host holds open now (0 once a session stopped cleanly). */
  openPorts(): number;
};

/**
 * Serial ports for tests: `open` finds the fake modem plugged at that path, as the real binding
 * finds a device node (and fails the same way when there is none).
 */
export function createFakeSerialPorts(): FakeSerialPorts {
  const modems = new Map<string, FakeModem>();
  const binding: BindingInterface = {
    async list(): Promise<PortInfo[]> {
      return [...modems.keys()].map((path) => ({
        path,
        manufacturer: 'Fake modem',
        serialNumber: undefined,
        pnpId: undefined,
        locationId: undefined,
        productId: undefined,
        vendorId: undefined,
      }));
    },
    async open(options) {
      const modem = modems.get(options.path);
      if (!modem) throw new Error(`Error: No such file or directory, cannot open ${options.path}`);
      return modem.attach(options);
    },
  };
  return {
    binding,
    plug: (path, modem) => void modems.set(path, modem),
    openPorts: () => [...modems.values()].filter((modem) => modem.attached).length,
  };
}

/** The ports the contract test's platform opens (its channel is built by the registry, which passes no binding). */
export const contractSerialPorts = createFakeSerialPorts();
