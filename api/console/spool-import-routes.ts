import type { Request } from 'express';
import { z } from 'zod';
import { campaignsByName } from '../../dialer/csv-campaigns.ts';
import { importSpool } from '../../dialer/spool-import.ts';
import { spoolImportViews } from '../../dialer/spool-import-view.ts';
import type { AppServices } from '../app-services.ts';
import { HttpError, httpErrors, parseInput } from '../http-errors.ts';
import { rooms } from '../../kernel/realtime.ts';
import type { FileIssue } from '../../contract/common.ts';
import type { ImportProgress } from '../../contract/dialer.ts';
import { route, type RouteSpec, SUPERVISORS } from '../route-table.ts';
import { visibleCampaigns } from '../../kernel/visibility.ts';
import { assertVisible } from '../../kernel/assert-visible.ts';
import { id, idParams } from '../../kernel/ids.ts';

// The file name's own rules (file-name.ts) are reported with the file's issues, so any string passes here.
const uploadSchema = z.object({
  fileName: z.string().max(1000).default(''),
  progressKey: z.string().trim().min(1).max(100).optional(),
});
const listSchema = z.object({
  beforeId: id.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** Content types a browser or a script sends a raw .csv body with (Windows browsers say vnd.ms-excel). */
const FILE_TYPES = ['text/csv', 'text/plain', 'application/octet-stream', 'application/vnd.ms-excel'];

/**
 * The request body as the uploaded file, streamed: refused (415) unless it is sent raw. A JSON or
 * form body would already have been read by a body parser, and a multipart one is not a CSV.
 */
export function uploadedFile(request: Request): Request {
  const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (type && !FILE_TYPES.includes(type)) {
    throw new HttpError(415, 'unsupported_media_type', `Send the .csv file itself as the request body (Content-Type text/csv), not ${type}`);
  }
  return request;
}

/** A rejected upload: 400 `invalid_file` with every issue found (line and column each). */
export function invalidFile(issues: FileIssue[]): HttpError {
  const count = issues.length === 1 ? 'a problem' : `${issues.length} problems`;
  return new HttpError(400, 'invalid_file', `The file was not imported: it has ${count}; nothing of it was stored`, { issues });
}

/** Routes of CSV uploads into a dialer's spool (supervisors and admins who see the dialer). */
export function spoolImportRoutes(services: AppServices): RouteSpec[] {
  const { db } = services;
  return [
    route({
      method: 'post',
      path: '/api/dialers/:id/imports',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        const { fileName, progressKey } = parseInput(uploadSchema, request.query);
        await assertVisible(db, actor, { dialerIds: [id] });
        const source = uploadedFile(request);
        const length = Number(request.headers['content-length']);
        const totalBytes = Number.isSafeInteger(length) && length >= 0 ? length : null;
        const result = await importSpool(services, {
          dialerId: id,
          fileName,
          source,
          campaigns: await campaignsByName(db, visibleCampaigns(actor)),
          userId: actor.userId,
          // Progress goes to the uploader's own room, only when the console asked for it by a key.
          onProgress: (figures) => {
            if (!progressKey) return;
            const payload: ImportProgress = { progressKey, totalBytes, ...figures };
            services.realtime.publish([{ rooms: [rooms.user(actor.userId)], event: 'dialer.import.progress', payload }]);
          },
        });
        if (!result.ok) throw invalidFile(result.issues);
        const [view] = await spoolImportViews(db, { dialerId: id, importId: result.import.id });
        if (!view) throw httpErrors.notFound('Import');
        response.status(201).json(view);
      },
    }),
    route({
      method: 'get',
      path: '/api/dialers/:id/imports',
      access: { roles: SUPERVISORS },
      async handler(request, response, actor) {
        const { id } = parseInput(idParams, request.params);
        const { beforeId, limit } = parseInput(listSchema, request.query);
        await assertVisible(db, actor, { dialerIds: [id] });
        response.json({ imports: await spoolImportViews(db, { dialerId: id, beforeId, limit }) });
      },
    }),
  ];
}
