import { signal } from '@preact/signals';
import { io, type Socket } from 'socket.io-client';
import type { Listeners, SimulatorEvents, SimulatorSocketEvents } from '../../../../contract/events.ts';
import type { SimulatorPhone } from '../../../../contract/simulator.ts';
import { dispatchFrame } from '../live-frames.ts';
import { receiveMessage, showTyping } from './phone-messages.ts';

/** `typing`: the platform is about to reply (a bot's typing delay); the next `message` ends it. */

export type PhoneLink = 'connecting' | 'online' | 'reconnecting' | 'refused';

/** State of the phone's link to the platform, shown in the phone's status bar. */
export const link = signal<PhoneLink>('connecting');

/**
 * Connects the phone to namespace `/simulator`; returns the function that hangs up. The phone stands
 * for a handset on a provider's network: it has nothing to read again, so it follows no frame numbers
 * (a message lost on the way stays `sent` in the console, never `delivered`, as with a real network).
 */
export function connectPhone(phone: SimulatorPhone): () => void {
  const socket: Socket<Listeners<SimulatorSocketEvents>> = io('/simulator', { auth: { token: phone.token }, withCredentials: true });
  const handlers: Listeners<SimulatorEvents> = { message: (message) => receiveMessage(phone, message), typing: () => showTyping() };
  link.value = 'connecting';

  socket.on('connect', () => (link.value = 'online'));
  socket.on('disconnect', () => (link.value = socket.active ? 'reconnecting' : 'refused'));
  // Refused by the server (token unknown, e.g. the server's data was reset): socket.io stops retrying.
  socket.on('connect_error', () => (link.value = socket.active ? 'reconnecting' : 'refused'));
  socket.on('live', (frame) => dispatchFrame(frame, handlers));

  return () => {
    socket.off();
    socket.disconnect();
  };
}
