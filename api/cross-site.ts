import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { RequestHandler } from 'express';
import { HttpError } from './http-errors.ts';
import { readSessionCookie } from './route-table.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a browser request comes from the platform's own pages: its `Origin` is the request's own
 * origin or PUBLIC_URL's, and `Sec-Fetch-Site` (when sent) says same-origin or none (typed by the
 * user). Same-site but cross-origin (a sibling subdomain) is foreign too. A request with neither
 * header (curl, another server) is not a browser's cross-site request and passes.
 */
export function isSameOriginRequest(headers: IncomingMessage['headers'], ownOrigins: readonly string[]): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = headers.origin;
  return origin === undefined || ownOrigins.includes(origin);
}

/**
 * Refuses (403 `cross_site`) state-changing requests that carry the console's session cookie but come
 * from another site: a form post or a `text/plain` upload from evil.example rides on the supervisor's
 * cookie, and SameSite=Lax does not stop a sibling subdomain nor every browser. Requests without the
 * cookie (webhooks, API keys, the simulator's token) are not authenticated by it and pass.
 */
export function refuseCrossSite(publicUrl: string | undefined): RequestHandler {
  const publicOrigin = publicUrl ? new URL(publicUrl).origin : undefined;
  return (request, _response, next) => {
    if (SAFE_METHODS.has(request.method) || readSessionCookie(request.headers.cookie) === undefined) return next();
    // protocol and host follow 'trust proxy': behind a local proxy, the address the browser used.
    const own = [`${request.protocol}://${request.host}`, ...(publicOrigin ? [publicOrigin] : [])];
    if (isSameOriginRequest(request.headers, own)) return next();
    next(new HttpError(403, 'cross_site', 'Refused: this request came from another site'));
  };
}

/**
 * The origins a socket.io handshake may come from (it reaches socket.io, not express): its Host over
 * the scheme it arrived by, or what a proxy on this machine forwarded (express's 'trust proxy'
 * 'loopback'), and PUBLIC_URL's.
 */
export function handshakeOrigins(request: IncomingMessage, publicUrl: string | undefined): string[] {
  const viaLocalProxy = /^(127\.|::1$|::ffff:127\.)/.test(request.socket.remoteAddress ?? '');
  const forwarded = (name: string) => {
    const value = viaLocalProxy ? request.headers[name] : undefined;
    return typeof value === 'string' ? value.split(',')[0]!.trim() : undefined;
  };
  const protocol = forwarded('x-forwarded-proto') ?? ((request.socket as TLSSocket).encrypted ? 'https' : 'http');
  const host = forwarded('x-forwarded-host') ?? request.headers.host;
  return [...(host ? [`${protocol}://${host}`] : []), ...(publicUrl ? [new URL(publicUrl).origin] : [])];
}
