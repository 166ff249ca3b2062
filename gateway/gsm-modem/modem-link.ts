import { setTimeout as sleep } from 'node:timers/promises';
import type { BindingInterface } from '@serialport/bindings-cpp';
import { SerialPortStream } from '@serialport/stream';
import type { Logger } from '../../kernel/logger.ts';
import type { SendResult, WebhookContent } from '../channel.ts';
import { createAtDriver, type AtDriver, type Urc } from './at-driver.ts';
import type { MessageReferences } from './message-references.ts';
import { initializeModem, ModemSetupError } from './modem-init.ts';
import { sendThroughModem } from './modem-send.ts';
import type { ModemConfig } from './modem-settings.ts';
import { createPartAssembly } from './part-assembly.ts';
import { createSimInbox, type SimInbox } from './sim-inbox.ts';

/** A modem as the console sees it: starting, ready, down (and retrying), or waiting for the admin. */
export type LinkState = { status: 'connecting' } | { status: 'ready' } | { status: 'disconnected'; reason: string } | { status: 'failed'; reason: string };

/** Timings; production uses the defaults, tests shorten them. */
export type ModemTiming = {
  commandTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** How often storage is listed, to catch what no +CMTI announced and to give up on missing parts. */
  sweepIntervalMs: number;
  partsTimeoutMs: number;
  /** Quiet time after the ESC that starts every connection (see modem-init.ts). */
  settleMs: number;
};

export const DEFAULT_TIMING: ModemTiming = {
  commandTimeoutMs: 10_000,
  reconnectMinMs: 1000,
  reconnectMaxMs: 30_000,
  sweepIntervalMs: 60_000,
  partsTimeoutMs: 60 * 60_000,
  settleMs: 500,
};

type LinkOptions = {
  config: ModemConfig;
  pin: string | undefined;
  binding: BindingInterface;
  timing: ModemTiming;
  channelId: number;
  defaultCountry: string;
  references: MessageReferences;
  receive(content: WebhookContent): Promise<unknown>;
  onState(state: LinkState): void;
  logger: Logger;
};

export type ModemLink = {
  readonly name: string;
  readonly state: LinkState;
  start(): void;
  stop(): Promise<void>;
  /** Sends through this modem; the provider id comes from the message references (see message-references.ts). */
  send(to: string, text: string): Promise<SendResult>;
};

type Connection = { port: SerialPortStream; driver: AtDriver; inbox: SimInbox; ready: boolean; closing?: Promise<void> };

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * One modem on its serial port: opens it, initializes the modem, then reads what arrives and sends
 * what it is given. When the port closes or errors (the dongle unplugged) or the modem stops
 * answering, it reconnects by itself with exponential backoff, until stopped.
 */
export function createModemLink(options: LinkOptions): ModemLink {
  const { config, timing } = options;
  const logger = options.logger.child({ modem: config.name });
  const assembly = createPartAssembly(); // outlives connections: a part set's wait is not reset by a reconnect
  let state: LinkState = { status: 'connecting' };
  let connection: Connection | null = null;
  /** The newest connection, even after it went down: stop waits for its port to close. */
  let latest: Connection | null = null;
  let stopped = false;
  let failures = 0;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let connecting: Promise<void> = Promise.resolve();
  let sending: Promise<unknown> = Promise.resolve();
  let reference = Math.floor(Math.random() * 256);
  const abort = new AbortController();

  function setState(next: LinkState) {
    state = next;
    options.onState(next);
  }

  function openPort(port: SerialPortStream) {
    return new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  }

  /** Closes the connection's port once; later calls wait for that same close. */
  function close(current: Connection): Promise<void> {
    if (!current.closing && current.port.isOpen) current.closing = new Promise((resolve) => current.port.close(() => resolve()));
    return current.closing ?? Promise.resolve();
  }

  /** The connection is gone (port closed, error, timeout, failed start): clean up and try again later. */
  function down(current: Connection, reason: string, retry = true) {
    if (connection !== current) return; // already handled
    connection = null;
    clearInterval(sweepTimer);
    current.driver.close(reason);
    void close(current);
    if (stopped) return;
    logger.warn({ reason }, 'modem down');
    if (!retry) return setState({ status: 'failed', reason });
    setState({ status: 'disconnected', reason });
    const delay = Math.min(timing.reconnectMaxMs, timing.reconnectMinMs * 2 ** failures++);
    reconnectTimer = setTimeout(() => {
      connecting = connect();
    }, delay);
  }

  function onUrc(current: Connection, urc: Urc) {
    const slot = /^\+(CMTI|CDSI):\s*"?\w*"?\s*,\s*(\d+)/.exec(urc.line);
    if (slot) return current.inbox.slotFilled(Number(slot[2]));
    if (urc.body && /^\+(CMT|CDS):/.test(urc.line)) return current.inbox.pushed(urc.line, urc.body);
    logger.debug({ urc: urc.line }, 'unsolicited result code ignored');
  }

  async function connect(): Promise<void> {
    if (stopped) return;
    const port = new SerialPortStream({ binding: options.binding, path: config.path, baudRate: config.baudRate, autoOpen: false });
    const current = { port, ready: false } as Connection;
    latest = current;
    current.driver = createAtDriver({
      write: (bytes) => port.write(bytes),
      onUrc: (urc) => onUrc(current, urc),
      onTimeout: (command) => down(current, `the modem stopped answering (${command.startsWith('AT+CPIN=') ? 'AT+CPIN' : command})`),
      commandTimeoutMs: timing.commandTimeoutMs,
      logger,
    });
    current.inbox = createSimInbox(current.driver, {
      channelId: options.channelId,
      defaultCountry: options.defaultCountry,
      modem: config.name,
      to: config.simNumber ?? config.name,
      mode: config.mode,
      receive: options.receive,
      references: options.references,
      assembly,
      partsTimeoutMs: timing.partsTimeoutMs,
      logger,
    });
    connection = current;
    port.on('data', (chunk: Buffer) => current.driver.receive(chunk));
    port.on('error', (error: Error) => down(current, error.message));
    port.on('close', (error: Error | null) => down(current, error ? `port closed: ${error.message}` : 'port closed'));
    try {
      await openPort(port);
      if (stopped || connection !== current) return await close(current);
      const reports = await initializeModem(current.driver, {
        config,
        pin: options.pin,
        settleMs: timing.settleMs,
        sleep: (ms) => sleep(ms, undefined, { signal: abort.signal }),
      });
      if (stopped || connection !== current) return;
      current.ready = true;
      failures = 0;
      logger.info({ reports }, 'modem ready');
      setState({ status: 'ready' });
      void current.inbox.sweep(); // what arrived while we were away
      sweepTimer = setInterval(() => void current.inbox.sweep(), timing.sweepIntervalMs);
      sweepTimer.unref();
    } catch (error) {
      if (stopped) return;
      down(current, error instanceof ModemSetupError ? error.message : messageOf(error), !(error instanceof ModemSetupError) || error.retry);
    }
  }

  async function send(to: string, text: string): Promise<SendResult> {
    const current = connection;
    if (!current?.ready) {
      const why = state.status === 'disconnected' || state.status === 'failed' ? `: ${state.reason}` : '';
      return { ok: false, errorCode: 'modem_unavailable', errorMessage: `${config.name} is not ready (${state.status}${why})`, retryable: true };
    }
    reference = (reference + 1) & 0xff;
    const sent = await sendThroughModem(current.driver, config.mode, to, text, reference);
    if (!sent.ok) return sent;
    return { ok: true, providerMessageId: await options.references.record(config.name, sent.references) };
  }

  return {
    name: config.name,
    get state() {
      return state;
    },
    start() {
      connecting = connect();
    },
    async stop() {
      stopped = true;
      abort.abort();
      clearTimeout(reconnectTimer);
      clearInterval(sweepTimer);
      connection?.driver.close('stopped');
      connection = null;
      await connecting.catch(() => {});
      await sending.catch(() => {});
      if (latest) {
        await latest.inbox.idle();
        await close(latest);
      }
    },
    send(to, text) {
      // One message at a time per modem: its parts go out in order, and references are recorded in order.
      const result = sending.then(() => send(to, text));
      sending = result.catch(() => {});
      return result;
    },
  };
}
