import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { channels } from '../db/schema/index.ts';
import { route, type RouteSpec } from './route-table.ts';
import type { AppServices } from './app-services.ts';
import { httpErrors, parseInput } from './http-errors.ts';
import type { SimulatorPhone } from '../contract/simulator.ts';
import { InvalidNumberError, toE164 } from '../gateway/phone-number.ts';
import { signPhoneToken } from '../gateway/simulator/phone-token.ts';
import { simulatorSigningKey } from '../gateway/simulator/simulator-channel.ts';
import { id } from '../kernel/ids.ts';

const phoneSchema = z.object({
  channelId: id.optional(),
  number: z.string().trim().min(1, 'Type a phone number').max(32),
});

/** The phone page's own endpoints: which simulator channels exist, and a phone token for a number. */
export function simulatorRoutes(services: AppServices): RouteSpec[] {
  const enabledSimulators = () =>
    services.db
      .select()
      .from(channels)
      .where(and(eq(channels.type, 'simulator'), eq(channels.enabled, true)))
      .orderBy(asc(channels.id));
  return [
    route({
      method: 'get',
      path: '/simulator/api/channels',
      access: { public: 'the simulator plays a customer, who has no account; disable the channel to close it' },
      async handler(_request, response) {
        response.json((await enabledSimulators()).map((row) => ({ id: row.id, name: row.name })));
      },
    }),
    route({
      method: 'post',
      path: '/simulator/api/phones',
      access: { public: 'the simulator plays a customer, who has no account; disable the channel to close it' },
      async handler(request, response) {
        const input = parseInput(phoneSchema, request.body);
        const rows = await enabledSimulators();
        const row = input.channelId === undefined ? rows[0] : rows.find((candidate) => candidate.id === input.channelId);
        if (!row) throw httpErrors.notFound('Simulator channel');
        let number: string;
        try {
          number = toE164(input.number, row.defaultCountry);
        } catch (error) {
          if (error instanceof InvalidNumberError) throw httpErrors.validation([{ path: 'number', message: error.message }]);
          throw error;
        }
        const phone: SimulatorPhone = {
          channelId: row.id,
          channelName: row.name,
          number,
          token: signPhoneToken(simulatorSigningKey(row.secrets), row.id, number),
        };
        response.json(phone);
      },
    }),
  ];
}
