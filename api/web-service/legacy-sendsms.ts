import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import type { AppServices } from '../app-services.ts';
import { HttpError, parseInput, RETRY_AFTER_SECONDS, toHttpError } from '../http-errors.ts';
import { route, type RouteSpec } from '../route-table.ts';
import { destinationField, messageField, optionalText, sendApiMessage } from './send-api-message.ts';

/** The old system's address; express matches routes case-insensitively, so `/integra/resources/sms/sendsms` works too. */
export const SENDSMS_PATH = '/Integra/resources/SMS/SendSMS';

const legacySchema = z.object({
  destination: destinationField,
  message: messageField,
  campaign: optionalText('campaign', 100, false),
  agent: optionalText('agent', 100),
  api: optionalText('api', 50),
  device: optionalText('device', 64).refine((value) => value === undefined || !/\s/.test(value), 'device must not contain spaces'),
});

/**
 * Splits `key=value&key=value` as the old GET form writes it in the last path segment. Values are
 * percent-decoded, and a `+` stays a `+` (a path is not a form: `destination=+598…` keeps its plus).
 */
export function parsePathFields(segment: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const pair of segment.split('&')) {
    if (!pair) continue;
    const at = pair.indexOf('=');
    const [key, value] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    try {
      fields[decodeURIComponent(key).toLowerCase()] = decodeURIComponent(value);
    } catch {
      throw new HttpError(400, 'bad_request', `The field ${key} is not valid percent-encoding`);
    }
  }
  return fields;
}

/** The query's fields (form encoding: `+` is a space, send a plus as %2B), keys in lower case like the form's. */
const queryFields = (request: Request): Record<string, unknown> =>
  Object.fromEntries(Object.entries(request.query as Record<string, unknown>).map(([key, value]) => [key.toLowerCase(), value]));

/**
 * The GET forms put their fields in `request.body`, where the POST form's parser puts them, so the
 * API-key check (its `apikey` field) and the handler read every form alike. The path form's fields win
 * over the query's.
 */
const getFields: RequestHandler = (request, _response, next) => {
  try {
    const segment = request.params.fields as string | undefined;
    // The raw segment, not express's decoded `params`: a `%26` inside a message must not split it.
    const raw = segment === undefined ? undefined : request.path.slice(request.path.lastIndexOf('/') + 1);
    request.body = { ...queryFields(request), ...(raw === undefined ? {} : parsePathFields(raw)) };
    next();
  } catch (error) {
    next(error);
  }
};

/** Old clients get plain text whatever went wrong: `ERROR <what>` with the status (400, 401, 403, 409, 422…). */
const textErrors =
  (services: AppServices): ErrorRequestHandler =>
  (error, _request, response, _next) => {
    let status = 500;
    let message = 'something went wrong on our side';
    // The same reading of an error as every other route (a database gone is a 503 to retry, a
    // constraint a 409…), rendered as text.
    const known = error instanceof HttpError ? error : toHttpError(error);
    if (known) {
      status = known.status;
      const issues = Array.isArray(known.details) ? (known.details as { message: string }[]) : [];
      message = issues.length ? issues.map((issue) => issue.message).join('; ') : known.message;
      if (status === 503) response.set('Retry-After', String(RETRY_AFTER_SECONDS));
    } else if ((error as { type?: string })?.type === 'entity.too.large') {
      [status, message] = [413, 'the request is too large'];
    } else if (typeof (error as { status?: number })?.status === 'number' && (error as { status: number }).status < 500) {
      [status, message] = [400, 'the request body could not be read'];
    } else {
      // No path in the log: the GET form's path holds the fields, an apikey among them.
      services.logger.error({ err: error }, 'SendSMS request failed');
    }
    response.status(status).type('text/plain').send(`ERROR ${message}`);
  };

/** The seed's SendSMS web service, kept as old integrations call it: answers `OK <id>` or `ERROR <message>`. */
export function legacySendSmsRoutes(services: AppServices): RouteSpec[] {
  const access = { apiKey: 'the SendSMS web service of old integrations' };
  const handler: RouteSpec<typeof access>['handler'] = async (request, response, caller) => {
    // Express answers HEAD with the GET route: a link checker probing the URL must not send an SMS.
    if (request.method === 'HEAD') throw new HttpError(405, 'method_not_allowed', 'HEAD does not send; use GET or POST');
    const fields = parseInput(legacySchema, request.body ?? {});
    const { row } = await services.db.transaction((tx) => sendApiMessage(tx, caller, { ...fields, via: 'sendsms' }));
    response.type('text/plain').send(`OK ${row.id}`);
  };
  const onError = textErrors(services);
  return [
    route({
      method: 'post',
      path: SENDSMS_PATH,
      access,
      before: [express.urlencoded({ extended: false, limit: '64kb' }), express.json({ limit: '64kb' })],
      onError,
      handler,
    }),
    route({ method: 'get', path: SENDSMS_PATH, access, before: [getFields], onError, handler }),
    route({ method: 'get', path: `${SENDSMS_PATH}/:fields`, access, before: [getFields], onError, handler }),
  ];
}
