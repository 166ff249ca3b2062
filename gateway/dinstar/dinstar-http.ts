import http from 'node:http';
import https from 'node:https';
import DigestClient from 'digest-fetch';
import type { DinstarSettings } from './dinstar-settings.ts';

/** What the gateway answered: the HTTP status and the JSON body (undefined when not JSON). */
export type GatewayReply = { status: number; body: unknown; text: string };

/** The gateway did not answer: refused, unresolvable, TLS refused, timed out or aborted. */
export class GatewayUnreachableError extends Error {
  override name = 'GatewayUnreachableError';
}

export type DinstarClient = {
  post(path: string, json: unknown, signal?: AbortSignal): Promise<GatewayReply>;
  get(path: string, query: Record<string, string | number>, signal?: AbortSignal): Promise<GatewayReply>;
};

type RequestInit = { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal };
type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/**
 * A fetch over node:http(s), so each channel decides about self-signed certificates on its own
 * (global fetch can only do that process-wide). digest-fetch drives it for the Digest handshake.
 */
function gatewayFetch(allowSelfSigned: boolean, timeoutMs: number): FetchLike {
  return (url, init = {}) =>
    new Promise<Response>((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const options: https.RequestOptions = {
        method: init.method ?? 'GET',
        headers: init.headers,
        timeout: timeoutMs,
        signal: init.signal,
        ...(secure && allowSelfSigned ? { rejectUnauthorized: false } : {}),
      };
      const request = (secure ? https : http).request(target, options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, item);
          }
          const status = response.statusCode ?? 502;
          const body = [101, 204, 205, 304].includes(status) ? null : Buffer.concat(chunks).toString('utf8');
          resolve(new Response(body, { status: status < 200 || status > 599 ? 502 : status, headers }));
        });
      });
      request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
      request.on('error', reject);
      request.end(init.body);
    });
}

/**
 * The gateway's HTTP API with its credentials: Digest (challenge answered by digest-fetch, nonce
 * reused for later requests) or Basic. Network failures become `GatewayUnreachableError`.
 */
export function createDinstarClient(settings: DinstarSettings, password: string): DinstarClient {
  const digest = new DigestClient(settings.username, password, { basic: settings.authScheme === 'basic' });
  // digest-fetch calls `getClient()` for its transport (global fetch by default): hand it ours.
  const transport = gatewayFetch(settings.allowSelfSigned, settings.requestTimeoutSeconds * 1000);
  digest.getClient = async () => transport as unknown as typeof fetch;
  const base = settings.baseUrl.replace(/\/+$/, '');

  async function call(url: string, init: RequestInit): Promise<GatewayReply> {
    let response: Response;
    try {
      response = (await digest.fetch(url, init)) as Response;
    } catch (error) {
      const cause = error instanceof Error ? ((error as { code?: string }).code ?? error.message) : String(error);
      throw new GatewayUnreachableError(`the gateway at ${base} did not answer (${cause})`);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.status, body, text };
  }

  return {
    post: (path, json, signal) =>
      call(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json), signal }),
    get(path, query, signal) {
      const search = new URLSearchParams(Object.entries(query).map(([key, value]) => [key, String(value)])).toString();
      return call(`${base}${path}${search ? `?${search}` : ''}`, { method: 'GET', signal });
    },
  };
}

/** A clear sentence for a 401: the platform cannot tell a wrong user from a wrong scheme. */
export const UNAUTHORIZED_DETAIL =
  'the gateway refused our credentials (HTTP 401): check the username, password and auth scheme (digest/basic) of this channel, and that the API is enabled on the gateway';
