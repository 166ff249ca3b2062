import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Logger } from '../../kernel/logger.ts';
import type { RemoteAuthClass, RemoteAuthInstance, RemoteSessionStore } from './wwebjs-library.ts';

/** RemoteAuth as the adapter uses it: the stored session is deleted only by a logout, saves never overlap or outlive the client. */
export type SessionAuth = RemoteAuthInstance & {
  /** After the browser has closed: stores the profile as it was left, a consistent copy. */
  saveClosedProfile(): Promise<void>;
};

type Options = {
  store: RemoteSessionStore;
  /** Names the session (`RemoteAuth-<clientId>`), and so its rows in PostgreSQL. */
  clientId: string;
  /** Scratch folder of this session's browser profile and zip; the copy that counts is in PostgreSQL. */
  dataPath: string;
  backupMs: number;
  /** RemoteAuth waits this long after the first pairing before its first save ("to be stable enough to recover"). */
  firstSaveDelayMs: number;
  logger: Logger;
};

/** unzipper (a dependency of RemoteAuth), required only when a stored session is restored. */
type Unzipper = { Extract(options: { path: string; concurrency?: number }): NodeJS.WritableStream & NodeJS.EventEmitter };

/**
 * Builds RemoteAuth (loaded lazily with the library) with these changes, each read against
 * src/authStrategies/RemoteAuth.js 1.34.7:
 * - `unCompressSession` resolves on unzipper's `close` (the last file written), not on `finish`
 *   (the zip read), which comes first: the browser could start on a half-restored profile and ask
 *   for a new QR (seen in tests; users report "RemoteAuth failed to load existing session").
 * - `disconnect` (which the client calls on any unexpected state: CONFLICT, PROXYBLOCK, UNLAUNCHED…)
 *   deletes the stored session there; here it only stops backups, so a dropped connection
 *   reconnects without a new QR. `logout` (the phone unlinked us) still deletes it.
 * - `afterAuthReady` keeps its timers where `destroy` clears them (the original's 60 s first-save
 *   delay would set a backup interval after `destroy`, keeping the process alive), and a failed
 *   backup is logged instead of becoming an unhandled rejection.
 * - Saves run one at a time (they share one temporary folder and zip path).
 * - Nothing restarts after `destroy` or a logout (the client's logout path re-runs
 *   `beforeBrowserInitialized`, `afterBrowserInitialized` and its page injection).
 */
export function createSessionAuth(RemoteAuth: RemoteAuthClass, options: Options): SessionAuth {
  const { store, logger } = options;
  class PostgresRemoteAuth extends RemoteAuth {
    #closed = false;
    #loggedOut = false;
    #firstSave: ReturnType<typeof setTimeout> | undefined;
    #saving: Promise<void> = Promise.resolve();

    #save(emit: boolean): Promise<void> {
      this.#saving = this.#saving
        .then(() => this.storeRemoteSession({ emit }))
        .catch((error: unknown) => logger.warn({ err: error }, 'WhatsApp Web session backup failed'));
      return this.#saving;
    }

    #stopBackups() {
      clearTimeout(this.#firstSave);
      clearInterval(this.backupSync);
    }

    override async unCompressSession(zipPath: string) {
      const unzipper = createRequire(import.meta.url)('unzipper') as Unzipper;
      await new Promise<void>((resolve, reject) => {
        const extract = unzipper.Extract({ path: this.userDataDir!, concurrency: 10 });
        extract.once('close', () => resolve()).once('error', reject);
        createReadStream(zipPath).once('error', reject).pipe(extract);
      });
      await fs.unlink(zipPath);
    }

    override async beforeBrowserInitialized() {
      if (!this.#closed && !this.#loggedOut) await super.beforeBrowserInitialized();
    }

    override afterBrowserInitialized(): Promise<void> {
      // After a logout the client re-initializes on the same page to show a new QR, from a page
      // event listener; the adapter closes that browser instead, and closing it under the
      // re-injection would reject in that listener, unhandled. Holding this step forever stops the
      // re-initialization before it touches the page (the promise goes away with the client).
      if (this.#loggedOut) return new Promise<void>(() => {});
      return super.afterBrowserInitialized();
    }

    override async afterAuthReady() {
      const stored = await store.sessionExists({ session: this.sessionName! });
      if (this.#closed) return;
      if (!stored) this.#firstSave = setTimeout(() => void this.#save(true), options.firstSaveDelayMs);
      this.backupSync = setInterval(() => void this.#save(false), options.backupMs);
    }

    override async disconnect() {
      this.#stopBackups();
    }

    override async logout() {
      this.#loggedOut = true;
      this.#stopBackups();
      await super.disconnect(); // RemoteAuth's own: deletes the stored session and the profile folder
    }

    override async destroy() {
      this.#closed = true;
      this.#stopBackups();
    }

    saveClosedProfile() {
      return this.#save(false);
    }
  }
  return new PostgresRemoteAuth({ store, clientId: options.clientId, dataPath: options.dataPath, backupSyncIntervalMs: options.backupMs });
}
