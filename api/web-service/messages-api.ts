import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Tx } from '../../db/connection.ts';
import type { AppServices } from '../app-services.ts';
import { httpErrors, parseInput } from '../http-errors.ts';
import { route, type RouteSpec } from '../route-table.ts';
import type { ApiMessageView } from '../../contract/dialer.ts';
import { spoolStateName } from '../../dialer/spool-state.ts';
import { keyCampaigns } from './api-key-scope.ts';
import { idempotent, requestHash } from './idempotency.ts';
import { destinationField, messageField, optionalText, sendApiMessage, type SpoolRow } from './send-api-message.ts';
import { bigIdParams, namedId } from '../../kernel/ids.ts';

const messageSchema = z.strictObject(
  {
    destination: destinationField,
    message: messageField,
    campaign: optionalText('campaign', 100, false),
    campaignId: namedId('campaignId').optional(),
    dialerId: namedId('dialerId').optional(),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `Unknown field ${issue.keys.join(', ')}: send destination, message, campaign or campaignId, dialerId` : undefined,
  },
);

/** Printable ASCII, as the Idempotency-Key draft and the usual clients (UUIDs, ULIDs) have it. */
const idempotencyKeySchema = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1 to 255 printable ASCII characters');

/** The web service's view of a spooled message. */
export function presentApiMessage(row: SpoolRow, campaignName: string): ApiMessageView {
  return {
    id: row.id,
    state: spoolStateName(row.state),
    destination: row.destination,
    campaign: campaignName,
    dialerId: row.dialerId,
    providerMessageId: row.providerMessageId,
    deliveryStatus: row.deliveryStatus,
    createdAt: new Date(row.createdAt).toISOString(),
    processedAt: row.processedAt ? new Date(row.processedAt).toISOString() : null,
  };
}

/** The modern web service: JSON in and out, idempotent sends, the message's state on request. */
export function messagesApiRoutes(services: AppServices): RouteSpec[] {
  const { db } = services;
  const access = { apiKey: 'the REST web service (JSON)' };
  return [
    route({
      method: 'post',
      path: '/api/v1/messages',
      access,
      async handler(request, response, caller) {
        if (!request.body || typeof request.body !== 'object' || Array.isArray(request.body)) {
          throw httpErrors.badRequest('Send a JSON object with Content-Type: application/json');
        }
        // The key may come in the body like the form's `apikey`; it is not part of the message.
        const { apikey: _key, ...body } = request.body as Record<string, unknown>;
        const input = parseInput(messageSchema, body);
        const send = async (tx: Tx) => {
          const { row, campaign } = await sendApiMessage(tx, caller, { ...input, via: 'v1' });
          return { status: 202, body: presentApiMessage(row, campaign.name) };
        };
        const header = request.get('idempotency-key');
        const answer =
          header === undefined
            ? await db.transaction(send)
            : await idempotent(db, { apiKeyId: caller.id, key: parseInput(idempotencyKeySchema, header), requestHash: requestHash(input) }, send);
        response.status(answer.status).json(answer.body);
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/messages/:id',
      access,
      async handler(request, response, caller) {
        const { id } = parseInput(bigIdParams, request.params);
        const [found] = (await db.execute(sql`
          select s.id, k.name as campaign_name from spool s join campaigns k on k.id = s.campaign_id
           where s.id = ${id} and ${keyCampaigns(caller)}`)) as unknown as { id: number; campaign_name: string }[];
        // Rows of campaigns outside the key's reach do not exist for it.
        if (!found) throw httpErrors.notFound('Message');
        const row = await db.query.spool.findFirst({ where: (spool, { eq }) => eq(spool.id, id) });
        response.json(presentApiMessage(row!, found.campaign_name));
      },
    }),
  ];
}
