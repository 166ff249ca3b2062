import { randomBytes } from 'node:crypto';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';

export const JSON_API_URL = 'https://api.quality-sms.test/v2/sms/send';
export const LEGACY_API_URL = 'http://legacy-sms.test/cgi-bin/sendsms';
export const API_KEY = 'qk_live_7f3a9c1e5b2d4f60';
export const LEGACY_USER = 'acme';
export const LEGACY_PASSWORD = 'p@ss w0rd&more';

/** One message as the fake aggregator understood it, plus the raw request for escaping checks. */
export type AggregatorSend = {
  shape: 'json' | 'legacy';
  to: string;
  from: string;
  text: string;
  reference: string;
  providerMessageId: string;
  rawUrl: string;
  rawBody: string;
  headers: Record<string, string>;
};

/** A refusal with this code and text (HTTP status optional), or a dropped connection. */
export type AggregatorFailure = { status?: number; code: string; message: string } | { network: true };

/**
 * An SMS aggregator faked at the network edge with msw, in two shapes a generic channel must reach
 * by settings alone:
 * - a JSON API with Bearer auth (`POST /v2/sms/send`, `{ messages: [{ from, destinations: [{ to }],
 *   text, reference }] }` → `{ status: "OK", messages: [{ messageId }] }` or `{ status: "ERROR",
 *   error: { code, message } }`), like the seed's "Quality" and modern aggregators;
 * - a legacy GET API (`/cgi-bin/sendsms?user&pass&to&from&text&ref`) answering text `OK:<id>` or
 *   `ERR:<code>:<message>`, always with HTTP 200; like many such gateways it takes the same
 *   fields as a form POST too, and Basic auth instead of user and pass.
 * Both parse what they receive as a real server would (JSON.parse, URLSearchParams).
 */
export function fakeAggregator() {
  const sends: AggregatorSend[] = [];
  const waiting: ((send: AggregatorSend) => void)[] = [];
  const failures: AggregatorFailure[] = [];
  let stall: Promise<void> | undefined;
  const accept = (send: Omit<AggregatorSend, 'providerMessageId'>, id: string) => {
    const full = { ...send, providerMessageId: id };
    sends.push(full);
    waiting.shift()?.(full);
  };

  const stalled = async (until: Promise<void>) => {
    await until;
    return new HttpResponse(null, { status: 504 });
  };

  async function legacy(request: Request, fields: URLSearchParams, rawBody: string) {
    if (stall) return stalled(stall);
    const basic = `Basic ${Buffer.from(`${LEGACY_USER}:${LEGACY_PASSWORD}`).toString('base64')}`;
    const authorized = request.headers.get('authorization') === basic || (fields.get('user') === LEGACY_USER && fields.get('pass') === LEGACY_PASSWORD);
    if (!authorized) {
      // Old gateways echo the request in their errors: credentials included.
      return HttpResponse.text(`ERR:401:bad credentials in ${request.url}${rawBody ? ` body ${rawBody}` : ''}`);
    }
    const to = fields.get('to');
    if (!to || !/^\d{6,15}$/.test(to)) return HttpResponse.text('ERR:21:invalid number');
    const failure = failures.shift();
    if (failure && 'network' in failure) return HttpResponse.error();
    if (failure) return HttpResponse.text(`ERR:${failure.code}:${failure.message}`, { status: failure.status ?? 200 });
    const id = String(10_000 + sends.length + Math.floor(Math.random() * 1e6));
    const headers = Object.fromEntries(request.headers);
    accept(
      {
        shape: 'legacy',
        to,
        from: fields.get('from') ?? '',
        text: fields.get('text') ?? '',
        reference: fields.get('ref') ?? '',
        rawUrl: request.url,
        rawBody,
        headers,
      },
      id,
    );
    return HttpResponse.text(`OK:${id}`);
  }

  const server = setupServer(
    http.post(JSON_API_URL, async ({ request }) => {
      // A stalled request is given up by the caller: it must not consume a later test's failure.
      if (stall) return stalled(stall);
      const rawBody = await request.text();
      if (request.headers.get('authorization') !== `Bearer ${API_KEY}`) {
        return HttpResponse.json({ status: 'ERROR', error: { code: 'UNAUTHORIZED', message: 'Invalid API key' } }, { status: 401 });
      }
      let payload: any;
      try {
        payload = JSON.parse(rawBody);
      } catch {
        return HttpResponse.json({ status: 'ERROR', error: { code: 'BAD_JSON', message: 'Malformed JSON body' } }, { status: 400 });
      }
      const message = payload?.messages?.[0];
      if (typeof message?.text !== 'string' || typeof message?.destinations?.[0]?.to !== 'string') {
        return HttpResponse.json(
          { status: 'ERROR', error: { code: 'BAD_REQUEST', message: 'messages[0].text and destinations are required' } },
          { status: 400 },
        );
      }
      const failure = failures.shift();
      if (failure && 'network' in failure) return HttpResponse.error();
      if (failure) {
        return HttpResponse.json(
          { status: 'ERROR', error: { code: Number(failure.code) || failure.code, message: failure.message } },
          { status: failure.status ?? 400 },
        );
      }
      const id = `q-${randomBytes(8).toString('hex')}`;
      accept(
        {
          shape: 'json',
          to: message.destinations[0].to,
          from: String(message.from ?? ''),
          text: message.text,
          reference: String(message.reference ?? ''),
          rawUrl: request.url,
          rawBody,
          headers: Object.fromEntries(request.headers),
        },
        id,
      );
      return HttpResponse.json({ status: 'OK', messages: [{ messageId: id, to: message.destinations[0].to, status: { groupName: 'PENDING' } }] });
    }),
    http.get(LEGACY_API_URL, async ({ request }) => legacy(request, new URL(request.url).searchParams, '')),
    http.post(LEGACY_API_URL, async ({ request }) => {
      const rawBody = await request.text();
      return legacy(request, new URLSearchParams(rawBody), rawBody);
    }),
  );
  server.listen({ onUnhandledFrame: 'bypass' }); // our own localhost HTTP and sockets pass through
  return {
    sends,
    nextSend: () => new Promise<AggregatorSend>((resolve) => waiting.push(resolve)),
    /** The next request (either shape) is refused with this code and text. */
    failNext: (failure: AggregatorFailure) => void failures.push(failure),
    /** Requests hang until the returned function is called (to make the channel time out). */
    stallUntilReleased() {
      let release!: () => void;
      stall = new Promise((resolve) => (release = resolve));
      return () => {
        stall = undefined;
        release();
      };
    },
    close: () => server.close(),
  };
}
