import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import type { SimulatorMessage, SimulatorPhone } from '../../contract/simulator.ts';
import { api, connectClient } from './test-platform.ts';

export type Phone = {
  phone: SimulatorPhone;
  socket: Socket;
  /** Everything the phone has received, in arrival order. */
  received: SimulatorMessage[];
  send(text: string, id?: string): Promise<{ status: number; body: any }>;
};

/** A customer's phone in the simulator: a token for a number, a live socket for replies, and a send. */
export async function openPhone(baseUrl: string, channelId: number, number: string, sockets?: Socket[]): Promise<Phone> {
  const { status, body: phone } = await api<SimulatorPhone>(baseUrl, 'POST', '/simulator/api/phones', { body: { channelId, number } });
  if (status !== 200) throw new Error(`could not open a simulator phone: ${status}`);
  const socket = await connectClient(baseUrl, { namespace: '/simulator', auth: { token: phone.token } });
  sockets?.push(socket);
  const received: SimulatorMessage[] = [];
  socket.on('message', (message: SimulatorMessage) => received.push(message));
  const send = (text: string, id: string = randomUUID()) =>
    api(baseUrl, 'POST', `/webhooks/${channelId}`, {
      headers: { 'x-simulator-token': phone.token },
      body: { type: 'message', id, text },
    });
  return { phone, socket, received, send };
}
