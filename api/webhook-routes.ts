import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { route, type RouteSpec } from './route-table.ts';
import type { AppServices } from './app-services.ts';
import { httpErrors, parseInput } from './http-errors.ts';
import { receiveContent } from '../gateway/receive-content.ts';
import type { Channel, WebhookRequest } from '../gateway/channel.ts';
import { id } from '../kernel/ids.ts';
import { channelById } from '../gateway/channel-row.ts';

const paramsSchema = z.object({ channelId: id });

export const WEBHOOK_PATH = '/webhooks/:channelId';

/** The URL providers call (and sign) for a channel, or null without PUBLIC_URL. */
export function webhookUrl(publicUrl: string | undefined, channelId: number): string | null {
  return publicUrl ? `${publicUrl}${WEBHOOK_PATH.replace(':channelId', String(channelId))}` : null;
}

/** The request as adapters see it: exact raw bytes for signatures, plus the body parsed by content type. */
export function toWebhookRequest(request: Request, publicUrl: string | undefined): WebhookRequest {
  const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const type = request.get('content-type') ?? '';
  const text = rawBody.toString('utf8');
  let body: unknown;
  if (type.includes('application/json') && text) {
    try {
      body = JSON.parse(text);
    } catch {
      throw httpErrors.badRequest('The request body is not valid JSON');
    }
  } else if (type.includes('application/x-www-form-urlencoded')) {
    body = Object.fromEntries(new URLSearchParams(text));
  }
  const base = publicUrl ?? `${request.protocol}://${request.get('host')}`;
  return {
    url: `${base}${request.originalUrl}`,
    method: request.method,
    headers: Object.fromEntries(Object.entries(request.headers).map(([key, value]) => [key, Array.isArray(value) ? value.join(',') : value])),
    query: Object.fromEntries(Object.entries(request.query).map(([key, value]) => [key, typeof value === 'string' ? value : undefined])),
    rawBody,
    body,
  };
}

/**
 * One webhook route for every provider: the channel's adapter verifies the request, normalizes it,
 * and one transaction stores the messages (once) with their jobs and applies delivery reports.
 * The answer is 200 as soon as that commits; the work happens in the jobs.
 */
export function webhookRoutes(services: AppServices): RouteSpec[] {
  const loadChannel = async (channelId: number) => {
    const row = await channelById(services.db, channelId);
    if (!row?.enabled || !services.channels.supports(row.type)) throw httpErrors.notFound('Channel');
    return row;
  };
  /** Verifies, stores in one transaction, answers: the work happens in the jobs. */
  const receiveWebhook = async (channelId: number, channel: Channel, webhook: WebhookRequest, ip: string | undefined, response: Response) => {
    if (!(await channel.verify(webhook))) {
      services.logger.warn({ channelId, ip }, 'webhook refused: verification failed');
      throw httpErrors.forbidden('The request could not be verified for this channel');
    }
    const result = await receiveContent(services, channelId, channel.normalize(webhook));
    if (channel.webhookAnswer) response.type(channel.webhookAnswer.contentType).send(channel.webhookAnswer.body);
    else response.json({ ok: true, ...result });
  };
  return [
    route({
      method: 'get',
      path: WEBHOOK_PATH,
      access: { public: "providers' subscription check (Meta's hub.challenge) or a GET-style delivery, verified by the channel adapter" },
      async handler(request, response) {
        const { channelId } = parseInput(paramsSchema, request.params);
        const row = await loadChannel(channelId);
        const channel = services.channels.get(row);
        const webhook = toWebhookRequest(request, services.config.publicUrl);
        const answer = channel.handshake?.(webhook);
        if (answer) return void response.status(answer.status).type('text').send(answer.body);
        if (!channel.acceptsGetWebhooks) throw httpErrors.notFound('Webhook check');
        await receiveWebhook(row.id, channel, webhook, request.ip, response);
      },
    }),
    route({
      method: 'post',
      path: WEBHOOK_PATH,
      access: { public: 'providers authenticate by signature or token, checked by the channel adapter' },
      before: [express.raw({ type: () => true, limit: '2mb' })],
      async handler(request, response) {
        const { channelId } = parseInput(paramsSchema, request.params);
        const row = await loadChannel(channelId);
        await receiveWebhook(row.id, services.channels.get(row), toWebhookRequest(request, services.config.publicUrl), request.ip, response);
      },
    }),
  ];
}
