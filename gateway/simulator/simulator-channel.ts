import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { rooms } from '../../kernel/realtime.ts';
import { InvalidPayloadError, type Channel, type ChannelFactory, type WebhookRequest } from '../channel.ts';
import { readPhoneToken } from './phone-token.ts';

export const SIMULATOR_TOKEN_HEADER = 'x-simulator-token';

const payloadSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), id: z.string().min(8).max(100), text: z.string().trim().min(1).max(4096) }),
  z.object({
    type: z.literal('status'),
    providerMessageId: z.string().min(1).max(200),
    status: z.enum(['delivered', 'read']),
  }),
]);

/** The signing key the simulator's phone tokens are made with (generated when the channel is created). */
export function simulatorSigningKey(secrets: Record<string, string>): string {
  const key = secrets.signingKey;
  if (!key) throw new Error('simulator channel has no signingKey secret');
  return key;
}

/**
 * The built-in phone: inbound arrives on the same webhook route as real providers, authenticated by
 * the phone token; outbound is pushed to the phone page over socket.io.
 */
export const createSimulatorChannel: ChannelFactory = (row, deps): Channel => {
  const signingKey = simulatorSigningKey(row.secrets);
  const phoneOf = (request: WebhookRequest) => {
    const token = request.headers[SIMULATOR_TOKEN_HEADER];
    return readPhoneToken(signingKey, row.id, token);
  };
  return {
    type: 'simulator',
    verify: (request) => phoneOf(request) !== null,
    normalize(request) {
      const from = phoneOf(request);
      if (!from) throw new InvalidPayloadError('missing phone token');
      const parsed = payloadSchema.safeParse(request.body);
      if (!parsed.success) throw new InvalidPayloadError('invalid simulator payload', z.treeifyError(parsed.error));
      const payload = parsed.data;
      const now = new Date();
      if (payload.type === 'status') {
        return { messages: [], statuses: [{ providerMessageId: payload.providerMessageId, status: payload.status, at: now }] };
      }
      return {
        messages: [
          {
            channelId: row.id,
            from,
            to: row.address,
            text: payload.text,
            media: [],
            // The phone's own message id: the same POST delivered twice carries the same id.
            providerMessageId: `sim-in-${payload.id}`,
            timestamp: now,
          },
        ],
        statuses: [],
      };
    },
    async send(message) {
      const providerMessageId = `sim-out-${randomUUID()}`;
      deps.publish([
        {
          namespace: '/simulator',
          rooms: [rooms.phone(row.id, message.to)],
          event: 'message',
          payload: { id: providerMessageId, text: message.text, at: new Date().toISOString() },
        },
      ]);
      return { ok: true, providerMessageId };
    },
    /** The phone shows "typing…" until the next message arrives (or a while passes). */
    async typing(to) {
      deps.publish([{ namespace: '/simulator', rooms: [rooms.phone(row.id, to)], event: 'typing', payload: { at: new Date().toISOString() } }]);
    },
  };
};
