import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { parse as parseCookie } from 'cookie';
import type { Db } from '../db/connection.ts';
import type { UserRole } from '../db/schema/index.ts';
import { httpErrors } from './http-errors.ts';
import { storable } from '../kernel/storable-text.ts';
import { authenticateApiKey, type ApiCaller } from './web-service/api-key-auth.ts';
import { resolveSession, SESSION_COOKIE } from './sessions.ts';
import type { Actor } from '../kernel/actor.ts';

/**
 * Who may call a route: the roles that may; `apiKey` (what the key is for): a web-service API key, no
 * console session; or `public` with the reason it needs no login.
 */
export type Access = { roles: readonly UserRole[] } | { apiKey: string } | { public: string };

/** Who a route's handler is called for, by its access: the session's actor, the API key's caller, or nobody. */
export type CallerOf<A extends Access> = A extends { roles: readonly UserRole[] } ? Actor : A extends { apiKey: string } ? ApiCaller : undefined;

export type RouteSpec<A extends Access = Access> = {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  access: A;
  /** Extra middleware before the handler (body parsers of webhooks). */
  before?: RequestHandler[];
  /** Renders this route's errors, authentication's included, when its clients expect another shape (the legacy SendSMS's plain text). */
  onError?: ErrorRequestHandler;
  /** Called once the guard has authenticated the request and checked its role. */
  handler: (request: Request, response: Response, caller: CallerOf<A>) => Promise<void> | void;
};

/** A route whose handler gets the caller its access implies: an `Actor` for role routes, an `ApiCaller` for API-key routes. */
export function route<const A extends Access>(spec: RouteSpec<A>): RouteSpec {
  return spec as unknown as RouteSpec;
}

export const ALL_ROLES: readonly UserRole[] = ['agent', 'supervisor', 'admin'];
export const SUPERVISORS: readonly UserRole[] = ['supervisor', 'admin'];

/** Every route registered through `registerRoutes`, with its access: the route-auth test enumerates it. */
export type RouteTable = { method: string; path: string; access: Access }[];

/** The session token in a Cookie header (HTTP requests and socket handshakes alike). */
export function readSessionCookie(header: string | undefined): string | undefined {
  return header ? parseCookie(header)[SESSION_COOKIE] : undefined;
}

/**
 * Every text a route accepts (body fields, query and path parameters) without the characters
 * PostgreSQL cannot store, so no input is refused or fails for them; webhooks' raw bytes (a Buffer,
 * for signatures) are left as they are, their content is cleaned where it is stored.
 */
function storableInput(request: Request): void {
  if (request.body !== undefined && !Buffer.isBuffer(request.body)) request.body = storable(request.body);
  request.params = storable(request.params);
  // express 5 computes `query` from the URL on every read: the handler must read the cleaned copy.
  Object.defineProperty(request, 'query', { value: storable(request.query), configurable: true, enumerable: true, writable: true });
}

/** Registers routes with their authentication and role check in front; nothing reaches a handler unchecked. */
export function registerRoutes(app: Express, db: Db, table: RouteTable, specs: readonly RouteSpec[]): void {
  for (const spec of specs) {
    table.push({ method: spec.method, path: spec.path, access: spec.access });
    const guard = async (request: Request, response: Response, next: NextFunction) => {
      try {
        storableInput(request);
        if ('public' in spec.access) return await spec.handler(request, response, undefined);
        if ('apiKey' in spec.access) return await spec.handler(request, response, await authenticateApiKey(db, request));
        const actor = await resolveSession(db, readSessionCookie(request.headers.cookie));
        if (!actor) throw httpErrors.unauthorized();
        if (!spec.access.roles.includes(actor.role)) throw httpErrors.forbidden();
        await spec.handler(request, response, actor);
      } catch (error) {
        next(error);
      }
    };
    app[spec.method](spec.path, ...(spec.before ?? []), guard, ...(spec.onError ? [spec.onError] : []));
  }
}
