import { DisconnectReason, jidDecode, makeCacheableSignalKeyStore, type BaileysEventMap, type proto, type WAMessage } from '@whiskeysockets/baileys';
import type { Logger } from '../../kernel/logger.ts';
import type { ChannelDeps, ChannelRow, SessionState } from '../channel.ts';
import { normalizeProviderAddress } from '../phone-number.ts';
import { loadAuthState, type PostgresAuthState } from './baileys-auth-state.ts';
import type { BaileysSettings } from './baileys-settings.ts';
import type { BaileysSocket, SocketMaker } from './baileys-socket.ts';
import { signalKeyCache } from './signal-key-cache.ts';

/** Reconnect delays double from 1 s up to a minute, and start over once connected. */
export const reconnectDelayMs = (failures: number) => Math.min(1000 * 2 ** (failures - 1), 60_000);

/** Messages we sent, kept a while for Baileys' `getMessage`: a phone that could not decrypt one asks for it again. */
const SENT_KEPT = 500;

export type BaileysConnection = {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The socket while connected to WhatsApp, else undefined (pairing, reconnecting, logged out, stopped). */
  openSocket(): BaileysSocket | undefined;
  state(): SessionState['state'];
  /** Our own number once linked (E.164), else the channel's address. */
  ourAddress(): string | null;
  /** Keeps a message we sent for Baileys' retry requests. */
  remember(message: WAMessage): void;
};

type Options = {
  row: ChannelRow;
  settings: BaileysSettings;
  deps: ChannelDeps;
  makeSocket: SocketMaker;
  logger: Logger;
  /** Everything else the socket reports (messages, receipts), one batch at a time; aborted on stop. */
  onEvents(events: Partial<BaileysEventMap>, socket: BaileysSocket, signal: AbortSignal): Promise<void>;
};

const statusCodeOf = (error: unknown): number | undefined => {
  const code = (error as { output?: { statusCode?: unknown } } | undefined)?.output?.statusCode;
  return typeof code === 'number' ? code : undefined;
};

/**
 * One WhatsApp Web account's connection: opens Baileys' socket over the auth state in PostgreSQL,
 * reports QR / open / closed to the console, saves credentials as they change, reconnects with
 * backoff when the connection drops (at once for the restart WhatsApp asks for right after pairing),
 * and on logout forgets the account and stays down, so the next start shows a new QR.
 */
export function createBaileysConnection(options: Options): BaileysConnection {
  const { row, settings, deps, logger } = options;
  // Baileys is chatty; its logs join ours at warn at most, and never below what the platform logs.
  const baileysLogger = logger.child({ module: 'baileys' }, { level: logger.levelVal > logger.levels.values.warn! ? logger.level : 'warn' });
  const keyCache = signalKeyCache();
  const sent = new Map<string, proto.IMessage>();
  let auth: PostgresAuthState | undefined;
  let socket: BaileysSocket | undefined;
  let unsubscribe: (() => void) | undefined;
  let state: SessionState['state'] = 'connecting';
  let reconnectTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let stopped = true;
  let abort = new AbortController();
  /** Event batches are handled in order, one at a time (Baileys does not await its listeners). */
  let work: Promise<void> = Promise.resolve();

  async function report(next: SessionState) {
    state = next.state;
    await deps.reportState(row.id, next).catch((error: unknown) => logger.warn({ err: error }, 'could not report the session state'));
  }

  function ourAddress(): string | null {
    const user = socket?.user?.id ? jidDecode(socket.user.id)?.user : undefined;
    return user ? normalizeProviderAddress(`+${user}`, row.defaultCountry) : row.address;
  }

  async function connect(): Promise<void> {
    if (stopped) return;
    auth ??= await loadAuthState(deps.authState(row.id));
    if (stopped) return;
    const next = options.makeSocket({
      auth: { creds: auth.state.creds, keys: makeCacheableSignalKeyStore(auth.state.keys, baileysLogger, keyCache) },
      logger: baileysLogger,
      // The phone lists this device under Linked devices by the first field.
      browser: [settings.deviceName, 'Chrome', '22.04.4'],
      // No QR in the terminal (printQRInTerminal is left unset): it goes to the console instead.
      markOnlineOnConnect: false, // the phone keeps getting notifications
      syncFullHistory: false, // a contact center starts from now; recent history still brings LID mappings
      getMessage: async (key) => (key.id ? sent.get(key.id) : undefined),
      ...(settings.waWebVersion ? { version: settings.waWebVersion.split('.').map(Number) as [number, number, number] } : {}),
    });
    socket = next;
    unsubscribe = next.ev.process((events) => {
      work = work.then(() => handle(next, events));
    });
  }

  /** Connects again after `delayMs`; a failure to connect (the database, say) waits longer and tries again. */
  function reconnectLater(delayMs: number) {
    clearTimeout(reconnectTimer);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      connect().catch(async (error: unknown) => {
        logger.warn({ err: error }, 'WhatsApp Web reconnect failed');
        if (stopped) return;
        failures += 1;
        await report({ state: 'error', detail: `could not reconnect: ${error instanceof Error ? error.message : String(error)}` });
        reconnectLater(reconnectDelayMs(failures));
      });
    }, delayMs);
  }

  async function onClose(closed: BaileysSocket, error: Error | undefined) {
    if (closed !== socket) return; // a socket we replaced or stopped already
    unsubscribe?.();
    unsubscribe = undefined;
    socket = undefined;
    state = 'connecting'; // no sends until the next socket is open, whatever happens next
    if (stopped) return;
    const code = statusCodeOf(error);
    if (code === DisconnectReason.loggedOut) {
      // Unlinked from the phone (or WhatsApp revoked the device): these keys are dead for good.
      await auth?.clear().catch((clearError: unknown) => logger.error({ err: clearError }, 'could not clear the WhatsApp Web auth state'));
      auth = undefined;
      keyCache.flushAll();
      await report({ state: 'logged_out', detail: 'Unlinked from the phone. Restart the channel (disable and enable it) to pair again.' });
      return;
    }
    if (code === DisconnectReason.restartRequired) {
      // WhatsApp asks for a fresh connection right after pairing: not a failure.
      await connect().catch((connectError: unknown) => {
        failures += 1;
        logger.warn({ err: connectError }, 'WhatsApp Web restart failed');
        reconnectLater(reconnectDelayMs(failures));
      });
      return;
    }
    failures += 1;
    const delay = reconnectDelayMs(failures);
    logger.info({ code, attempt: failures, delayMs: delay }, 'WhatsApp Web connection closed, reconnecting');
    await report({
      state: 'connecting',
      detail: `connection closed (${code ?? 'no code'}${error?.message ? `: ${error.message}` : ''}); retrying in ${delay / 1000} s`,
    });
    reconnectLater(delay);
  }

  async function handle(from: BaileysSocket, events: Partial<BaileysEventMap>) {
    try {
      if (events['creds.update'] && from === socket) {
        await auth?.saveCreds().catch((error: unknown) => logger.error({ err: error }, 'could not save WhatsApp Web credentials'));
      }
      const update = events['connection.update'];
      if (update && from === socket) {
        if (update.connection === 'connecting') await report({ state: 'connecting' });
        if (update.qr) await report({ state: 'qr', qr: update.qr });
        if (update.connection === 'open') {
          failures = 0;
          await report({ state: 'open', detail: ourAddress() ?? undefined });
        }
        if (update.connection === 'close') await onClose(from, update.lastDisconnect?.error);
      }
      await options.onEvents(events, from, abort.signal);
    } catch (error) {
      logger.error({ err: error }, 'WhatsApp Web event handling failed');
    }
  }

  return {
    async start() {
      stopped = false;
      failures = 0;
      abort = new AbortController();
      await report({ state: 'connecting' });
      await connect();
    },
    async stop() {
      stopped = true;
      abort.abort();
      clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      const current = socket;
      socket = undefined;
      unsubscribe?.();
      unsubscribe = undefined;
      await current?.end(undefined).catch((error: unknown) => logger.warn({ err: error }, 'WhatsApp Web socket did not close cleanly'));
      await work;
      // The next start reads PostgreSQL again: another node may have held the account meanwhile.
      auth = undefined;
      keyCache.flushAll();
    },
    openSocket: () => (state === 'open' ? socket : undefined),
    state: () => state,
    ourAddress,
    remember(message) {
      if (!message.key.id || !message.message) return;
      sent.set(message.key.id, message.message);
      if (sent.size > SENT_KEPT) sent.delete(sent.keys().next().value!);
    },
  };
}
