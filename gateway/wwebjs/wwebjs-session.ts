import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ChannelDeps, ChannelRow, ChannelSession, SessionState } from '../channel.ts';
import { normalizeProviderAddress } from '../phone-number.ts';
import { createPostgresSessionStore } from './postgres-session-store.ts';
import { createSessionAuth, type SessionAuth } from './session-auth.ts';
import { isCustomerMessage, toInboundMessage, toStatusReport } from './wwebjs-inbound.ts';
import type { WwebjsClient, WwebjsLibrary, WwebjsMessage } from './wwebjs-library.ts';
import type { WwebjsSettings } from './wwebjs-settings.ts';

/** How the session reaches whatsapp-web.js; tests pass a fake library and short waits. */
export type WwebjsRuntime = {
  load(): Promise<WwebjsLibrary>;
  /** Fails with a message an admin can act on when the browser is missing (the real runtime only). */
  checkBrowser?(executablePath: string): Promise<void>;
  /** Wait before reconnect number `attempt` (0 first). */
  reconnectDelayMs(attempt: number): number;
};

/** The browser flags the platform runs Chromium with (headless, in a container, no side traffic). */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/** One try at a connection: a client, its auth strategy, and what became of it. */
type Attempt = { client: WwebjsClient; auth: SessionAuth; ready: boolean };

export type WwebjsSession = ChannelSession & {
  /** The client when WhatsApp Web is ready to send, else undefined. */
  readyClient(): WwebjsClient | undefined;
};

/**
 * A WhatsApp Web session: one whatsapp-web.js client at a time. A drop closes the client and
 * starts a new one after a growing wait (the stored session avoids a new QR); a logout from the
 * phone deletes the stored session and waits for the admin to restart the channel to pair again.
 */
export function createWwebjsSession(row: ChannelRow, deps: ChannelDeps, settings: WwebjsSettings, runtime: WwebjsRuntime): WwebjsSession {
  const logger = deps.logger.child({ channelId: row.id, channelType: 'wwebjs' });
  let library: WwebjsLibrary | undefined;
  let dataPath: string | undefined;
  let current: Attempt | undefined;
  let stopped = true;
  let failures = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  let ourAddress: string | null = row.address;
  // Inbound messages are stored one after another, in the order WhatsApp Web gave them.
  let inbound: Promise<void> = Promise.resolve();

  // States are written one after another: `authenticated` and `ready` come back to back, and two
  // concurrent writes could land in the wrong order (the console stuck on "connecting").
  let reporting: Promise<void> = Promise.resolve();
  const report = (state: SessionState) => {
    reporting = reporting
      .then(() => deps.reportState(row.id, state))
      .catch((error: unknown) => logger.warn({ err: error }, 'could not report the session state'));
    return reporting;
  };

  function connect() {
    if (stopped || !library || !dataPath) return;
    const auth = createSessionAuth(library.RemoteAuth, {
      store: createPostgresSessionStore(deps.authState(row.id), dataPath),
      clientId: `channel-${row.id}`,
      dataPath,
      backupMs: settings.sessionBackupMinutes * 60_000,
      firstSaveDelayMs: 60_000,
      logger,
    });
    const client = new library.Client({
      authStrategy: auth,
      puppeteer: { executablePath: deps.chromiumPath, headless: true, args: CHROMIUM_ARGS },
      // 'none': no copy of WhatsApp Web's page written to the working directory (the default 'local' does).
      webVersionCache: { type: 'none' },
      // The lease says this node holds the number: another tab with the same session yields to it.
      takeoverOnConflict: true,
      ...(settings.deviceName ? { deviceName: settings.deviceName } : {}),
    });
    const attempt: Attempt = { client, auth, ready: false };
    current = attempt;
    const live = () => current === attempt && !stopped;

    client.on('qr', (qr: string) => {
      if (live()) void report({ state: 'qr', qr });
    });
    client.on('authenticated', () => {
      if (live()) void report({ state: 'connecting', detail: 'paired: loading WhatsApp Web' });
    });
    client.on('ready', () => {
      if (!live()) return;
      attempt.ready = true;
      failures = 0;
      const user = client.info?.wid.user;
      if (user) ourAddress = normalizeProviderAddress(`+${user}`, row.defaultCountry);
      void report({ state: 'open', detail: ourAddress ?? undefined });
    });
    client.on('auth_failure', (message: string) => void drop(attempt, `authentication failed: ${message}`));
    client.on('disconnected', (reason: string) => void (reason === 'LOGOUT' ? loggedOut(attempt) : drop(attempt, `disconnected: ${reason}`)));
    client.on('message', (message: WwebjsMessage) => {
      if (!live() || !isCustomerMessage(message, settings.acceptGroups)) return;
      inbound = inbound.then(() => receive(client, message));
    });
    client.on('message_ack', (message: WwebjsMessage, ack: number) => {
      const status = live() ? toStatusReport(message, ack) : null;
      if (status)
        deps.receive(row.id, { messages: [], statuses: [status] }).catch((error: unknown) => logger.error({ err: error }, 'could not store a WhatsApp ack'));
    });

    client.initialize().then(
      // Stopped while the browser was launching: `destroy` found nothing to close then; it does now.
      () => (live() ? undefined : client.destroy().catch(() => {})),
      (error: unknown) => {
        if (live()) return drop(attempt, `WhatsApp Web did not start: ${error instanceof Error ? error.message : String(error)}`);
        return client.destroy().catch(() => {});
      },
    );
  }

  async function receive(client: WwebjsClient, message: WwebjsMessage) {
    try {
      const inboundMessage = await toInboundMessage(message, {
        channelId: row.id,
        defaultCountry: row.defaultCountry,
        to: ourAddress,
        acceptGroups: settings.acceptGroups,
        client,
      });
      await deps.receive(row.id, { messages: [inboundMessage], statuses: [] });
    } catch (error) {
      // WhatsApp Web does not deliver it again: the log is all that is left of it.
      logger.error({ err: error, providerMessageId: message.id._serialized }, 'could not store a WhatsApp message');
    }
  }

  /** Closes a client; after a clean run its profile (now flushed by the closed browser) is stored. */
  async function close(attempt: Attempt, save: boolean) {
    attempt.client.removeAllListeners();
    await attempt.client.destroy().catch((error: unknown) => logger.warn({ err: error }, 'WhatsApp Web did not close cleanly'));
    if (save) await attempt.auth.saveClosedProfile();
  }

  async function drop(attempt: Attempt, why: string) {
    if (current !== attempt || stopped) return;
    current = undefined;
    const delay = runtime.reconnectDelayMs(failures++);
    logger.warn({ why, delay }, 'WhatsApp Web session dropped; reconnecting');
    await report({ state: 'error', detail: `${why}; reconnecting in ${Math.round(delay / 1000)} s` });
    await close(attempt, attempt.ready);
    if (stopped) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void report({ state: 'connecting', detail: `reconnecting (attempt ${failures})` });
      connect();
    }, delay);
  }

  async function loggedOut(attempt: Attempt) {
    if (current !== attempt || stopped) return;
    current = undefined;
    logger.info('WhatsApp Web logged out from the phone; stored session deleted');
    // The phone unlinked this device: the stored session can never be used again.
    await deps.authState(row.id).clear();
    await close(attempt, false);
    await report({ state: 'logged_out', detail: 'unlinked from the phone: disable and enable the channel to pair again' });
  }

  return {
    carriesSends: true,
    readyClient: () => (current?.ready && !stopped ? current.client : undefined),
    async start() {
      stopped = false;
      failures = 0;
      await runtime.checkBrowser?.(deps.chromiumPath);
      library ??= await runtime.load();
      dataPath = await fs.mkdtemp(path.join(os.tmpdir(), `omnichat-wwebjs-${row.id}-`));
      await report({ state: 'connecting' });
      connect();
    },
    async stop() {
      stopped = true;
      clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      const attempt = current;
      current = undefined;
      if (attempt) await close(attempt, attempt.ready);
      await inbound;
      if (dataPath) await fs.rm(dataPath, { recursive: true, force: true, maxRetries: 3 });
      dataPath = undefined;
    },
  };
}
