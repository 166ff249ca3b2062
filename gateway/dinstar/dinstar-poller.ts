import { z } from 'zod';
import type { ChannelDeps, ChannelRow, ChannelSession, SessionState, StatusReport } from '../channel.ts';
import { collectReports, inboundMessage } from './dinstar-content.ts';
import { GatewayUnreachableError, UNAUTHORIZED_DETAIL, type DinstarClient, type GatewayReply } from './dinstar-http.ts';
import type { DinstarSettings } from './dinstar-settings.ts';
import {
  deliverStatusSchema,
  incomingReplySchema,
  incomingSmsSchema,
  replySchema,
  resultReplySchema,
  smsResultSchema,
  validItems,
  type DeliverStatus,
  type IncomingSms,
} from './dinstar-wire.ts';
import { formatGatewayTime } from './gateway-time.ts';

/** The gateway answered, but not with what we asked for (401, an error_code, a body we cannot read). */
export class GatewayRefusedError extends Error {
  override name = 'GatewayRefusedError';
}

/** Where reading the gateway's inbox stands, in `channel_auth_state`: shared by every node, kept over restarts. */
const CURSOR = { kind: 'dinstar', key: 'incoming-cursor' } as const;
const cursorSchema = z.object({ sn: z.string().nullable(), id: z.number().int().nonnegative() });
type Cursor = z.infer<typeof cursorSchema>;

/** Pages read per poll (the gateway answers about 8 KB of SMS at a time); the rest waits for the next poll. */
const MAX_PAGES = 20;
/** Reports handed over per `receive` (one status job each). */
const REPORTS_PER_JOB = 200;
const MAX_BACKOFF_MS = 5 * 60_000;

function checked<T extends { error_code: number }>(reply: GatewayReply, schema: z.ZodType<T>, what: string): T {
  if (reply.status === 401) throw new GatewayRefusedError(UNAUTHORIZED_DETAIL);
  const parsed = schema.safeParse(reply.body);
  if (!parsed.success) throw new GatewayRefusedError(`${what}: unexpected answer (HTTP ${reply.status}) ${reply.text.slice(0, 120)}`);
  if (parsed.data.error_code !== 200) throw new GatewayRefusedError(`${what}: the gateway answered error_code ${parsed.data.error_code}`);
  return parsed.data;
}

/**
 * The Dinstar session: the node holding the lease polls the gateway for received SMS (resuming
 * after the cursor it stored) and for sending results and network status reports of recent sends
 * (a `time_after` window, so no list of pending messages has to survive a restart). It reports
 * `open` while the gateway answers, `error` with the reason while not, and backs off.
 */
export function createDinstarPoller(row: ChannelRow, settings: DinstarSettings, client: DinstarClient, deps: ChannelDeps): ChannelSession {
  const logger = deps.logger.child({ channelId: row.id, provider: 'dinstar' });
  const store = deps.authState(row.id);
  const intervalMs = settings.pollIntervalSeconds * 1000;
  // How often, when the inbox is quiet, to check that the gateway's numbering did not restart.
  const numberingCheckMs = intervalMs * 20;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let abort: AbortController | undefined;
  let failures = 0;
  let lastState = '';
  let lastNumberingCheck = 0;
  /** What was last reported per message of the window: each change is reported once per session. */
  let reported = new Map<string, StatusReport['status']>();

  const warnInvalid = (item: unknown, error: z.ZodError) => logger.warn({ item, issues: error.issues }, 'unreadable item from the gateway skipped');

  async function report(state: SessionState) {
    const signature = JSON.stringify(state);
    if (signature === lastState) return;
    lastState = signature;
    await deps.reportState(row.id, state).catch((error: unknown) => logger.warn({ err: error }, 'session state not recorded'));
  }

  async function loadCursor(): Promise<Cursor> {
    const parsed = cursorSchema.safeParse((await store.get(CURSOR.kind, [CURSOR.key])).get(CURSOR.key));
    return parsed.success ? parsed.data : { sn: null, id: 0 };
  }
  const saveCursor = (cursor: Cursor) => store.set([{ ...CURSOR, value: cursor }]);

  async function readInbox(after: number, signal: AbortSignal): Promise<{ sn: string | null; sms: IncomingSms[] }> {
    const reply = checked(
      await client.get('/api/query_incoming_sms', { incoming_sms_id: after, flag: 'all' }, signal),
      incomingReplySchema,
      'query_incoming_sms',
    );
    return { sn: reply.sn ?? null, sms: validItems(incomingSmsSchema, reply.sms, warnInvalid) };
  }

  async function pollIncoming(signal: AbortSignal) {
    let cursor = await loadCursor();
    for (let page = 0; page < MAX_PAGES; page++) {
      const inbox = await readInbox(cursor.id, signal);
      if (inbox.sn && cursor.sn && inbox.sn !== cursor.sn && cursor.id > 0) {
        logger.warn({ was: cursor.sn, now: inbox.sn }, 'another gateway answers at this address: reading its inbox from the start');
        cursor = { sn: inbox.sn, id: 0 };
        await saveCursor(cursor);
        continue;
      }
      const fresh = inbox.sms.filter((sms) => sms.incoming_sms_id > cursor.id).sort((a, b) => a.incoming_sms_id - b.incoming_sms_id);
      if (fresh.length === 0) {
        if (page === 0) await checkNumbering(cursor, signal);
        return;
      }
      // Stored first, cursor moved after: a crash in between reads these again, and storage dedupes them.
      await deps.receive(row.id, { messages: fresh.map((sms) => inboundMessage(row, settings, inbox.sn ?? undefined, sms)), statuses: [] });
      cursor = { sn: inbox.sn ?? cursor.sn, id: fresh.at(-1)!.incoming_sms_id };
      await saveCursor(cursor);
    }
  }

  /**
   * Clearing the gateway's inbox restarts its ids below our cursor, which would hide every new SMS.
   * When the last SMS we read is gone and nothing in the inbox is newer, read it again from the
   * start (ids include the timestamp, so what was stored already is recognised).
   */
  async function checkNumbering(cursor: Cursor, signal: AbortSignal) {
    if (cursor.id === 0 || Date.now() - lastNumberingCheck < numberingCheckMs) return;
    lastNumberingCheck = Date.now();
    if ((await readInbox(cursor.id - 1, signal)).sms.some((sms) => sms.incoming_sms_id === cursor.id)) return;
    const inbox = await readInbox(0, signal);
    if (inbox.sms.every((sms) => sms.incoming_sms_id < cursor.id)) {
      logger.warn({ cursor: cursor.id }, "the gateway's SMS numbering restarted (inbox cleared?): reading its inbox from the start");
      await saveCursor({ sn: inbox.sn ?? cursor.sn, id: 0 });
    }
  }

  async function pollResults(signal: AbortSignal) {
    const now = new Date();
    const window = { time_after: formatGatewayTime(new Date(now.getTime() - settings.resultLookbackMinutes * 60_000), settings.gatewayTimeZone) };
    const results = validItems(
      smsResultSchema,
      checked(await client.post('/api/query_sms_result', window, signal), resultReplySchema, 'query_sms_result').result,
      warnInvalid,
    );
    let deliveries: DeliverStatus[] = [];
    if (settings.requestStatusReport) {
      try {
        const reply = checked(await client.post('/api/query_sms_deliver_status', window, signal), resultReplySchema, 'query_sms_deliver_status');
        deliveries = validItems(deliverStatusSchema, reply.result, warnInvalid);
      } catch (error) {
        if (!(error instanceof GatewayRefusedError)) throw error;
        logger.debug({ err: error }, 'no network status reports this time (sending results still apply)');
      }
    }
    const reports = collectReports(results, deliveries, now);
    const news = reports.filter((item) => reported.get(item.providerMessageId) !== item.status);
    for (let i = 0; i < news.length; i += REPORTS_PER_JOB) {
      await deps.receive(row.id, { messages: [], statuses: news.slice(i, i + REPORTS_PER_JOB) });
    }
    // Only what the window still holds is remembered, so memory stays the size of the window.
    reported = new Map(reports.map((item) => [item.providerMessageId, item.status]));
  }

  async function poll(signal: AbortSignal) {
    if (settings.pollIncoming) await pollIncoming(signal);
    if (settings.pollResults) await pollResults(signal);
    if (!settings.pollIncoming && !settings.pollResults) {
      checked(await client.get('/api/query_sms_in_queue', {}, signal), replySchema, 'query_sms_in_queue'); // push only: is it there?
    }
  }

  async function tick() {
    abort = new AbortController();
    running = poll(abort.signal).then(
      async () => {
        failures = 0;
        await report({ state: 'open', detail: settings.baseUrl });
      },
      async (error: unknown) => {
        if (stopped) return;
        failures++;
        const detail = error instanceof GatewayUnreachableError || error instanceof GatewayRefusedError ? error.message : `polling failed: ${String(error)}`;
        logger.warn({ err: error, failures }, 'Dinstar poll failed');
        await report({ state: 'error', detail });
      },
    );
    await running;
    running = undefined;
    if (stopped) return;
    const delay = failures === 0 ? intervalMs : Math.min(MAX_BACKOFF_MS, Math.max(intervalMs, 1000) * 2 ** Math.min(failures - 1, 10));
    timer = setTimeout(() => void tick(), delay);
  }

  return {
    carriesSends: false,
    async start() {
      stopped = false;
      failures = 0;
      lastState = '';
      reported = new Map();
      await report({ state: 'connecting', detail: settings.baseUrl });
      timer = setTimeout(() => void tick(), 0);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      abort?.abort();
      await running;
    },
  };
}
