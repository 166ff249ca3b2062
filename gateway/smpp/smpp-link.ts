import { randomBytes } from 'node:crypto';
import smpp, { type PDU, type Session } from 'smpp';
import type { Logger } from '../../kernel/logger.ts';
import { CREDENTIAL_STATUSES, describeStatus } from './smpp-status.ts';
import { submitWindow } from './submit-window.ts';

export type BindCommand = 'bind_transceiver' | 'bind_transmitter' | 'bind_receiver';

export type LinkTiming = {
  connectTimeoutMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** After a bind refused for its credentials: retrying fast cannot help and may lock the account. */
  refusedBindRetryMs: number;
  /** How long stop waits for stored-but-unanswered inbound messages, unbind_resp and the close. */
  stopTimeoutMs: number;
};

export type LinkConfig = {
  bind: BindCommand;
  host: string;
  port: number;
  tls: boolean;
  tlsVerifyCertificate: boolean;
  systemId: string;
  password: string;
  systemType: string;
  interfaceVersion: number;
  addressRange: string;
  enquireLinkMs: number;
  responseTimeoutMs: number;
  windowSize: number;
  timing: LinkTiming;
  logger: Logger;
};

export type LinkState = { state: 'connecting' | 'open' | 'error'; detail: string };

export type RequestOutcome = { ok: true; response: PDU } | { ok: false; reason: 'not_bound' | 'timeout' | 'disconnected' };

export type LinkEvents = {
  state(state: LinkState): void;
  /** Stores an inbound deliver_sm / data_sm; the link answers it only once this resolves (an error answers ESME_RX_T_APPN). */
  deliver(pdu: PDU, bindId: string): Promise<void>;
};

/** One TCP/TLS connection's life: its bind, its outstanding requests, its inbound work. */
type Connection = {
  session: Session;
  bound: boolean;
  /**
   * Random per connection (a connection binds once): tells a redelivery (an earlier bind) from a
   * repeat. Set before the bind is answered, since a deliver_sm can follow bind_resp in the same read.
   */
  bindId: string;
  pending: Set<(outcome: RequestOutcome) => void>;
  delivering: Set<Promise<void>>;
  /** Set when the bind was refused: the wait before the next try. */
  retryInMs?: number;
  lastError?: string;
  closed: Promise<void>;
  markClosed: () => void;
};

/** Waits for `work`, or `ms` at most. */
async function within(ms: number, work: Promise<unknown>) {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * One SMPP bind that keeps itself up: connects, binds, answers the SMSC's enquire_link, unbind and
 * deliver_sm, probes the link with its own enquire_link (no answer in time = dead, reconnect), and
 * reconnects with exponential backoff after any close. Requests beyond the window wait for a slot.
 */
export function createSmppLink(config: LinkConfig, events: LinkEvents) {
  const { timing, logger } = config;
  const window = submitWindow(config.windowSize);
  let current: Connection | undefined;
  let stopped = true;
  let failures = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;

  function request(conn: Connection, command: string, options: Record<string, unknown>, timeoutMs: number): Promise<RequestOutcome> {
    return new Promise((resolve) => {
      let done = false;
      const settle = (outcome: RequestOutcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        conn.pending.delete(settle);
        resolve(outcome);
      };
      const timer = setTimeout(() => settle({ ok: false, reason: 'timeout' }), timeoutMs);
      conn.pending.add(settle);
      const sent = conn.session.send(new smpp.PDU(command, options), (response) => settle({ ok: true, response }));
      if (!sent) settle({ ok: false, reason: 'disconnected' });
    });
  }

  function answer(conn: Connection, pdu: PDU, options?: Record<string, unknown>) {
    if (conn.session.socket.writable) conn.session.send(pdu.response(options));
  }

  function backoffMs(): number {
    const base = Math.min(timing.reconnectMaxMs, timing.reconnectBaseMs * 2 ** failures);
    failures++;
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  function connect() {
    if (stopped) return;
    let markClosed!: () => void;
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const session = smpp.connect({ host: config.host, port: config.port, tls: config.tls, rejectUnauthorized: config.tlsVerifyCertificate });
    const conn: Connection = { session, bound: false, bindId: randomBytes(6).toString('hex'), pending: new Set(), delivering: new Set(), closed, markClosed };
    current = conn;
    const connectTimer = setTimeout(() => {
      conn.lastError = `no connection to ${config.host}:${config.port} within ${seconds(timing.connectTimeoutMs)}`;
      session.destroy();
    }, timing.connectTimeoutMs);
    let enquireTimer: NodeJS.Timeout | undefined;

    session.on(config.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(connectTimer);
      void bind(conn).then((ok) => {
        if (ok && conn.bound) enquireTimer = setInterval(() => void probe(conn), config.enquireLinkMs);
      });
    });
    // Every socket or PDU error lands here (an unhandled 'error' would crash the process); the close follows.
    session.on('error', (error: Error) => {
      conn.lastError = error.message;
      logger.warn({ err: error, host: config.host, bind: config.bind }, 'SMPP connection error');
      session.destroy();
    });
    session.on('pdu', (pdu: PDU) => onRequest(conn, pdu));
    session.on('close', () => {
      clearTimeout(connectTimer);
      clearInterval(enquireTimer);
      conn.bound = false;
      for (const settle of [...conn.pending]) settle({ ok: false, reason: 'disconnected' });
      conn.markClosed();
      if (current !== conn) return;
      current = undefined;
      if (stopped) return;
      const delay = conn.retryInMs ?? backoffMs();
      if (conn.retryInMs === undefined) {
        const why = conn.lastError ?? 'connection closed';
        events.state({ state: failures > 3 ? 'error' : 'connecting', detail: `${why}; reconnecting in ${seconds(delay)}` });
      }
      reconnectTimer = setTimeout(connect, delay);
    });
  }

  /** Sends the bind and reads its answer; a refusal is reported and the connection closed. */
  async function bind(conn: Connection): Promise<boolean> {
    const outcome = await request(
      conn,
      config.bind,
      {
        system_id: config.systemId,
        password: config.password,
        system_type: config.systemType,
        interface_version: config.interfaceVersion,
        address_range: config.addressRange,
      },
      config.responseTimeoutMs,
    );
    if (!outcome.ok) {
      conn.lastError = `no answer to ${config.bind}`;
      conn.session.destroy();
      return false;
    }
    const status = outcome.response.command_status;
    if (status === 0) {
      conn.bound = true;
      failures = 0;
      const name = typeof outcome.response.system_id === 'string' && outcome.response.system_id ? ` (${outcome.response.system_id})` : '';
      events.state({ state: 'open', detail: `${config.bind.replace('bind_', '')} bound to ${config.host}:${config.port}${name}` });
      return true;
    }
    conn.retryInMs = CREDENTIAL_STATUSES.has(status) ? timing.refusedBindRetryMs : backoffMs();
    events.state({ state: 'error', detail: `bind refused: ${describeStatus(status)}; retrying in ${seconds(conn.retryInMs)}` });
    conn.session.destroy();
    return false;
  }

  /** Our own enquire_link: a link that does not answer in time is dead, whatever TCP thinks. */
  async function probe(conn: Connection) {
    const outcome = await request(conn, 'enquire_link', {}, config.responseTimeoutMs);
    if (!outcome.ok && outcome.reason === 'timeout' && conn === current) {
      conn.lastError = `no enquire_link_resp within ${seconds(config.responseTimeoutMs)}`;
      conn.session.destroy();
    }
  }

  function onRequest(conn: Connection, pdu: PDU) {
    if (pdu.isResponse()) return; // answers reach their request's callback
    switch (pdu.command) {
      case 'enquire_link':
        return answer(conn, pdu);
      case 'unbind':
        conn.bound = false;
        conn.lastError = 'the SMSC unbound';
        answer(conn, pdu);
        return conn.session.close();
      case 'deliver_sm':
      case 'data_sm': {
        const work = events.deliver(pdu, conn.bindId).then(
          () => answer(conn, pdu),
          (error: unknown) => {
            logger.error({ err: error, command: pdu.command }, 'inbound SMPP message not stored; asking the SMSC to retry');
            answer(conn, pdu, { command_status: smpp.errors.ESME_RX_T_APPN });
          },
        );
        conn.delivering.add(work);
        void work.finally(() => conn.delivering.delete(work));
        return;
      }
      case 'alert_notification':
        return; // has no response PDU
      default:
        return answer(conn, pdu, { command_status: smpp.errors.ESME_RINVCMDID });
    }
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      failures = 0;
      connect();
    },
    get bound() {
      return current?.bound === true;
    },
    /** A submit_sm through the window; `not_bound` at once when the bind is down. */
    async submit(options: Record<string, unknown>): Promise<RequestOutcome> {
      const release = await window.acquire();
      try {
        const conn = current;
        if (!conn?.bound) return { ok: false, reason: 'not_bound' };
        return await request(conn, 'submit_sm', options, config.responseTimeoutMs);
      } finally {
        release();
      }
    },
    /** Answers what is being stored, unbinds, and closes; no timer or socket is left behind. */
    async stop() {
      stopped = true;
      clearTimeout(reconnectTimer);
      const conn = current;
      if (!conn) return;
      await within(timing.stopTimeoutMs, Promise.allSettled([...conn.delivering]));
      if (conn.bound) {
        conn.bound = false;
        await request(conn, 'unbind', {}, timing.stopTimeoutMs);
        conn.session.close();
        await within(timing.stopTimeoutMs, conn.closed);
      }
      conn.session.destroy();
      await conn.closed;
    },
  };
}

export type SmppLink = ReturnType<typeof createSmppLink>;
