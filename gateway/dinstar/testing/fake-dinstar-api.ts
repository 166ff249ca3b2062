import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { z } from 'zod';
import { digestServer } from './fake-digest-auth.ts';

export type DinstarSend = {
  number: string;
  userId: number | undefined;
  text: string;
  port: number;
  ports: number[] | undefined;
  encoding: 'unicode' | 'gsm-7bit';
  requestStatusReport: boolean;
};

type Result = { port: number; user_id?: number; number: string; time: string; status: string; count: number; succ_count: number; ref_id: number; imsi: string };
type Delivery = { port: number; number: string; time: string; ref_id: number; status_code: number; imsi: string };
type Inbox = { incoming_sms_id: number; port: number; number: string; smsc: string; timestamp: string; text: string; imsi: string };

const REALM = 'Web Server';
const IMSI = '748010123456789';
/** The gateway's clock: UTC wall time, as `YYYY-MM-DD HH:MM:SS`. */
export const gatewayClock = (date = new Date()) => date.toISOString().slice(0, 19).replace('T', ' ');
const parseClock = (text: string) => new Date(`${text.replace(' ', 'T')}Z`).getTime();

/** `send_sms` as the API describes it (strict: a field we misspell is a 400, as it would be a bug). */
const sendSchema = z
  .object({
    text: z.string(),
    param: z
      .array(
        z
          .object({ number: z.string().regex(/^\+?\d{1,24}$/), text_param: z.array(z.string()).optional(), user_id: z.number().int().min(0).optional() })
          .strict(),
      )
      .min(1),
    port: z.array(z.number().int().min(0).max(31)).optional(),
    encoding: z.enum(['unicode', 'gsm-7bit']).optional(),
    request_status_report: z.boolean().optional(),
  })
  .strict();
const querySchema = z
  .object({
    number: z.array(z.string()).max(32).optional(),
    port: z.array(z.number().int()).optional(),
    time_after: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
      .optional(),
    time_before: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
      .optional(),
    user_id: z.array(z.number().int()).optional(),
  })
  .strict();

/**
 * A Dinstar gateway's HTTP API faked at the network edge with msw: it really challenges and checks
 * Digest (RFC 2617, MD5, qop=auth) or Basic credentials, validates the JSON we post, queues sends
 * with a ref_id per port, answers result and status-report queries by `time_after`, and pages its
 * inbox by `incoming_sms_id`.
 */
export function fakeDinstarApi(options: { baseUrl?: string; username?: string; password?: string; auth?: 'digest' | 'basic'; sn?: string } = {}) {
  const base = options.baseUrl ?? 'https://dinstar.test';
  const account = { username: options.username ?? 'admin', password: options.password ?? 'gateway-secret' };
  const sn = options.sn ?? 'dbc0-0d21-4f13-0a7f';
  const sends: DinstarSend[] = [];
  const waiting: ((send: DinstarSend) => void)[] = [];
  const failures: { errorCode: number; reason?: string }[] = [];
  const results: Result[] = [];
  const deliveries: Delivery[] = [];
  let inbox: Inbox[] = [];
  let nextIncomingId = 1;
  const refIds = new Map<number, number>();
  /** Switches a test may flip: the auth scheme asked for, an unplugged gateway, the inbox page size. */
  const state = { auth: options.auth ?? 'digest', unreachable: false, pageSize: 50, challenges: 0, authorized: 0, requests: [] as string[] };

  const digest = digestServer(REALM, account);
  function authorized(request: Request): boolean {
    const header = request.headers.get('authorization');
    if (state.auth === 'basic') return header === `Basic ${Buffer.from(`${account.username}:${account.password}`).toString('base64')}`;
    const url = new URL(request.url);
    return digest.valid(request.method, `${url.pathname}${url.search}`, header);
  }

  function challenge() {
    state.challenges++;
    const header = state.auth === 'basic' ? `Basic realm="${REALM}"` : digest.challenge();
    return new HttpResponse('401 Unauthorized', { status: 401, headers: { 'www-authenticate': header, 'content-type': 'text/html' } });
  }

  const reply = (body: Record<string, unknown>) => HttpResponse.json({ sn, ...body });

  async function sendSms(request: Request) {
    const parsed = sendSchema.safeParse(await request.json().catch(() => null));
    if (!parsed.success) return reply({ error_code: 400 });
    const body = parsed.data;
    if (body.param.length > 128 || Buffer.byteLength(body.text) > 1500) return reply({ error_code: 413 });
    const failure = failures.shift();
    if (failure) return reply({ error_code: failure.errorCode, ...(failure.reason ? { reason: failure.reason } : {}) });
    const ports = body.port;
    for (const item of body.param) {
      const port = ports?.[0] ?? 0;
      const refId = ((refIds.get(port) ?? -1) + 1) % 256;
      refIds.set(port, refId);
      const send: DinstarSend = {
        number: item.number,
        userId: item.user_id,
        text: body.text,
        port,
        ports,
        encoding: body.encoding ?? 'unicode',
        requestStatusReport: body.request_status_report ?? true,
      };
      sends.push(send);
      results.push({
        port,
        ...(item.user_id === undefined ? {} : { user_id: item.user_id }),
        number: item.number,
        time: gatewayClock(),
        status: 'SENDING',
        count: 1,
        succ_count: 0,
        ref_id: refId,
        imsi: IMSI,
      });
      waiting.shift()?.(send);
    }
    return reply({ error_code: 202, sms_in_queue: body.param.length, task_id: sends.length });
  }

  async function query<T extends { time: string; port: number; number: string; user_id?: number }>(request: Request, rows: T[]) {
    const parsed = querySchema.safeParse(await request.json().catch(() => null));
    if (!parsed.success) return reply({ error_code: 400 });
    const filter = parsed.data;
    const after = filter.time_after ? parseClock(filter.time_after) : -Infinity;
    const before = filter.time_before ? parseClock(filter.time_before) : Infinity;
    const result = rows.filter(
      (row) =>
        parseClock(row.time) >= after &&
        parseClock(row.time) <= before &&
        (!filter.port || filter.port.includes(row.port)) &&
        (!filter.number || filter.number.includes(row.number)) &&
        (!filter.user_id || (row.user_id !== undefined && filter.user_id.includes(row.user_id))),
    );
    return reply({ error_code: 200, result });
  }

  function incoming(request: Request) {
    const params = new URL(request.url).searchParams;
    const after = Number(params.get('incoming_sms_id') ?? 0);
    const flag = params.get('flag') ?? 'unread';
    if (!['unread', 'read', 'all'].includes(flag) || !Number.isInteger(after) || after < 0) return reply({ error_code: 400 });
    const sms = inbox.filter((item) => item.incoming_sms_id > after).slice(0, state.pageSize);
    return reply({ error_code: 200, sms, read: inbox.length, unread: 0 });
  }

  const server = setupServer(
    http.all(`${base}/api/:operation`, async ({ request, params }) => {
      if (state.unreachable) return HttpResponse.error();
      const operation = String(params.operation);
      state.requests.push(`${request.method} ${operation}`);
      if (!authorized(request)) return challenge();
      state.authorized++;
      if (operation === 'send_sms' && request.method === 'POST') return sendSms(request);
      if (operation === 'query_sms_result' && request.method === 'POST') return query(request, results);
      if (operation === 'query_sms_deliver_status' && request.method === 'POST') return query(request, deliveries);
      if (operation === 'query_incoming_sms' && request.method === 'GET') return incoming(request);
      if (operation === 'query_sms_in_queue' && request.method === 'GET') return reply({ error_code: 200, in_queue: 0 });
      return new HttpResponse('Not Found', { status: 404 });
    }),
  );
  server.listen({ onUnhandledFrame: 'bypass' }); // our own localhost HTTP and sockets pass through

  const resultOf = (userId: number) => {
    const found = results.findLast((item) => item.user_id === userId);
    if (!found) throw new Error(`the fake gateway sent nothing with user_id ${userId}`);
    return found;
  };

  return {
    baseUrl: base,
    sn,
    account,
    sends,
    state,
    nextSend: () => new Promise<DinstarSend>((resolve) => waiting.push(resolve)),
    /** The next send_sms is answered with this error_code (and reason, which real firmware may omit). */
    failNext: (failure: { errorCode: number; reason?: string }) => void failures.push(failure),
    /** The module reports the send's outcome: SENT_OK, FAILED or DELIVERED. */
    setResult(userId: number, status: 'SENT_OK' | 'FAILED' | 'DELIVERED') {
      const result = resultOf(userId);
      result.status = status;
      result.succ_count = status === 'FAILED' ? 0 : result.count;
    },
    /** The network's status report for a send (TP-Status: 0 delivered, 64-255 permanent error). */
    statusReport(userId: number, statusCode: number) {
      const result = resultOf(userId);
      deliveries.push({ port: result.port, number: result.number, time: result.time, ref_id: result.ref_id, status_code: statusCode, imsi: IMSI });
    },
    /** An SMS arrives on a port; returns its inbox entry. */
    receiveSms(sms: { number: string; text: string; port?: number; at?: Date }): Inbox {
      const entry = {
        incoming_sms_id: nextIncomingId++,
        port: sms.port ?? 0,
        number: sms.number,
        smsc: '+59894000900',
        timestamp: gatewayClock(sms.at),
        text: sms.text,
        imsi: IMSI,
      };
      inbox.push(entry);
      return entry;
    },
    /** Someone clears the inbox on the gateway's web page: its numbering starts again at 1. */
    clearInbox() {
      inbox = [];
      nextIncomingId = 1;
    },
    close: () => server.close(),
  };
}

export type FakeDinstarApi = ReturnType<typeof fakeDinstarApi>;
