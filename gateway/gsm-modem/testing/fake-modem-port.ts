import type { BindingPortInterface, OpenOptions } from '@serialport/bindings-cpp';

/** The host's end of a fake modem's serial line, as a serialport binding port. */
export type FakePort = BindingPortInterface & {
  /** Bytes the modem says, waiting for the host to read them. */
  push(bytes: Buffer): void;
  /** Wakes a waiting read (the modem went away, or the port closed). */
  wake(): void;
};

const canceled = () => Object.assign(new Error('Canceled: the port was closed'), { canceled: true });

/**
 * A port that behaves as serialport's bindings do: a read waits for bytes; closing cancels it (an
 * error marked `canceled`); a vanished device fails it with EIO, which `@serialport/stream` treats
 * as a disconnection (it closes the port and emits `close` with a DisconnectedError).
 */
export function createFakePort(openOptions: OpenOptions, device: { present(): boolean; receive(bytes: Buffer): void; detach(): void }): FakePort {
  let outbound = Buffer.alloc(0);
  let wake = () => {};
  const port: FakePort = {
    openOptions: {
      dataBits: 8,
      lock: true,
      stopBits: 1,
      parity: 'none',
      rtscts: false,
      xon: false,
      xoff: false,
      xany: false,
      hupcl: true,
      ...openOptions,
    } as Required<OpenOptions>,
    isOpen: true,
    push(bytes) {
      outbound = Buffer.concat([outbound, bytes]);
      wake();
    },
    wake: () => wake(),
    async read(buffer, offset, length) {
      for (;;) {
        if (!port.isOpen) throw canceled();
        if (!device.present()) throw new Error('EIO: i/o error, read');
        if (outbound.length > 0) {
          const bytesRead = outbound.copy(buffer, offset, 0, Math.min(length, outbound.length));
          outbound = outbound.subarray(bytesRead);
          return { buffer, bytesRead };
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    async write(buffer) {
      if (!port.isOpen) throw canceled();
      if (!device.present()) throw new Error('EIO: i/o error, write');
      const copy = Buffer.from(buffer);
      // The modem answers after the bytes crossed the line, never within the write call.
      setImmediate(() => {
        if (port.isOpen && device.present()) device.receive(copy);
      });
    },
    async close() {
      port.isOpen = false;
      device.detach();
      wake();
    },
    update: async () => {},
    set: async () => {},
    get: async () => ({ cts: true, dsr: true, dcd: true }),
    getBaudRate: async () => ({ baudRate: openOptions.baudRate }),
    flush: async () => {},
    drain: async () => {},
  };
  return port;
}
