import type { BindingInterface } from '@serialport/bindings-cpp';
import { SerialPort } from 'serialport';

/**
 * The operating system's serial ports (serialport's binding for Linux, macOS or Windows): what every
 * modem channel opens unless a test hands `createModemChannel` another binding.
 */
export const systemSerialBinding = (): BindingInterface => SerialPort.binding;
