import { z } from 'zod';
import { campaignsByName } from '../../dialer/csv-campaigns.ts';
import { addDncrNumber, listDncr, removeDncrEntry } from '../../dialer/dncr-entries.ts';
import { importDncr } from '../../dialer/dncr-import.ts';
import type { AppServices } from '../app-services.ts';
import { parseInput } from '../http-errors.ts';
import { route, type RouteSpec, SUPERVISORS } from '../route-table.ts';
import { invalidFile, uploadedFile } from './spool-import-routes.ts';
import { visibleCampaigns } from '../../kernel/visibility.ts';
import { bigId, bigIdParams, id } from '../../kernel/ids.ts';
import { runCommand } from '../../kernel/command.ts';

const listSchema = z.object({
  q: z.string().trim().max(64).optional(),
  campaignId: z.union([z.literal('global'), id]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  beforeId: bigId.optional(),
});
const addSchema = z.object({
  number: z.string().trim().min(1, 'Write the telephone number').max(32),
  campaignId: id.nullable(),
});
const importSchema = z.object({ fileName: z.string().max(1000).default('') });

/**
 * Routes of the DNCR list: rows, single numbers, uploads. Supervisors and admins; supervisors work the
 * global list and the lists of campaigns they can see (see visibleDncr in visibility.ts).
 */
export function dncrRoutes(services: AppServices): RouteSpec[] {
  const { db } = services;
  const country = services.config.defaultCountry;
  return [
    route({
      method: 'get',
      path: '/api/dncr',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const query = parseInput(listSchema, request.query);
        response.json({ entries: await listDncr(db, actor, query, country) });
      },
    }),
    route({
      method: 'post',
      path: '/api/dncr',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const input = parseInput(addSchema, request.body);
        const { entry, created } = await runCommand(services, actor, (ctx) => addDncrNumber(ctx, { ...input, country }));
        response.status(created ? 201 : 200).json(entry);
      },
    }),
    route({
      method: 'delete',
      path: '/api/dncr/:id',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const { id } = parseInput(bigIdParams, request.params);
        await runCommand(services, actor, (ctx) => removeDncrEntry(ctx, { id }));
        response.status(204).end();
      },
    }),
    route({
      method: 'post',
      path: '/api/dncr/imports',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const { fileName } = parseInput(importSchema, request.query);
        const source = uploadedFile(request);
        const result = await importDncr(db, {
          fileName,
          source,
          campaigns: await campaignsByName(db, visibleCampaigns(actor)),
          country,
          userId: actor.userId,
        });
        if (!result.ok) throw invalidFile(result.issues);
        response.status(201).json({ added: result.added, alreadyListed: result.alreadyListed });
      },
    }),
  ];
}
