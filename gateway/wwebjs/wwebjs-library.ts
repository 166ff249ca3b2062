import type WAWebJS from 'whatsapp-web.js';

/**
 * The part of whatsapp-web.js 1.34 the adapter uses, typed narrowly so a fake can stand in for it in
 * tests. The real classes are checked against these types at the bottom of this file.
 */

/** A whatsapp-web.js message as the `message` and `message_ack` events carry it (src/structures/Message.js). */
export type WwebjsMessage = {
  id: { _serialized: string; fromMe: boolean; remote: string; id: string };
  from: string;
  to: string;
  /** The sender inside a group (`from` is then the group). */
  author?: string;
  fromMe: boolean;
  body: string;
  type: string;
  hasMedia: boolean;
  /** Seconds since the epoch (WhatsApp's `t`). */
  timestamp: number;
  isStatus: boolean;
  broadcast: boolean;
  location?: { latitude: number | string; longitude: number | string; name?: string; address?: string; url?: string };
  /** The raw WhatsApp Web model: `notifyName` is the sender's profile name. */
  _data?: { notifyName?: string };
  getContact(): Promise<{ id: { user: string; server: string; _serialized: string } }>;
};

/** A chat, for its typing state (src/structures/Chat.js: both last until cleared or 25 s). */
export type WwebjsChat = {
  sendStateTyping(): Promise<unknown>;
  clearState(): Promise<unknown>;
};

export type WwebjsClient = {
  /** Set just before `ready`: our own WhatsApp id. */
  info?: { wid: { user: string; server: string; _serialized: string } };
  on(event: string, listener: (...args: any[]) => void): unknown;
  removeAllListeners(): unknown;
  initialize(): Promise<void>;
  destroy(): Promise<void>;
  /** The registered WhatsApp id of a number, or null when the number is not on WhatsApp. */
  getNumberId(number: string): Promise<{ _serialized: string } | null>;
  sendMessage(chatId: string, content: string, options?: { sendSeen?: boolean; linkPreview?: boolean }): Promise<{ id: { _serialized: string } } | undefined>;
  /** A chat by id; undefined when WhatsApp Web has no such chat. */
  getChatById(chatId: string): Promise<WwebjsChat | undefined>;
  /** The phone-number id behind a `@lid` id (WhatsApp's privacy ids), when WhatsApp Web knows it. */
  getContactLidAndPhone(userIds: string[]): Promise<{ lid?: string; pn?: string }[]>;
};

/** RemoteAuth's store interface (index.d.ts `Store`). */
export type RemoteSessionStore = {
  sessionExists(options: { session: string }): Promise<boolean>;
  save(options: { session: string }): Promise<void>;
  extract(options: { session: string; path: string }): Promise<void>;
  delete(options: { session: string }): Promise<void>;
};

/**
 * A RemoteAuth instance, including the internals the adapter's subclass relies on
 * (src/authStrategies/RemoteAuth.js and BaseAuthStrategy.js in 1.34.7; not in index.d.ts).
 */
export type RemoteAuthInstance = {
  client: unknown;
  /** `<dataPath>/RemoteAuth-<clientId>`: the browser profile, set by `beforeBrowserInitialized`. */
  userDataDir?: string;
  sessionName?: string;
  backupSync?: ReturnType<typeof setInterval>;
  setup(client: unknown): void;
  beforeBrowserInitialized(): Promise<void>;
  afterBrowserInitialized(): Promise<void>;
  afterAuthReady(): Promise<void>;
  disconnect(): Promise<void>;
  logout(): Promise<void>;
  destroy(): Promise<void>;
  /** Zips the profile's Default/{Default,IndexedDB,Local Storage} to `<dataPath>/<session>.zip` and calls `store.save`. */
  storeRemoteSession(options?: { emit?: boolean }): Promise<void>;
  /** Unzips `<dataPath>/<session>.zip` into `userDataDir`, then deletes the zip. */
  unCompressSession(zipPath: string): Promise<void>;
};

export type RemoteAuthClass = new (options: {
  store: RemoteSessionStore;
  clientId?: string;
  dataPath: string;
  backupSyncIntervalMs: number;
  rmMaxRetries?: number;
}) => RemoteAuthInstance;

export type WwebjsClientOptions = {
  authStrategy: RemoteAuthInstance;
  puppeteer: { executablePath?: string; headless?: boolean; args?: string[]; userDataDir?: string };
  webVersionCache?: { type: 'none' };
  takeoverOnConflict?: boolean;
  deviceName?: string;
};

export type WwebjsLibrary = {
  Client: new (options: WwebjsClientOptions) => WwebjsClient;
  RemoteAuth: RemoteAuthClass;
};

/**
 * Loads whatsapp-web.js (and with it puppeteer) only when a channel of this type starts: the
 * platform never pays for it otherwise. It is a CommonJS module: its exports are on `default`.
 */
export async function loadWwebjs(): Promise<WwebjsLibrary> {
  const library = (await import('whatsapp-web.js')).default;
  // RemoteAuth's internals are not in index.d.ts; they were read in the 1.34.7 source.
  return library as unknown as WwebjsLibrary;
}

// Compile-time checks that the real classes have the shape the adapter (and the fake) assume.
type Fits<Narrow, Real extends Narrow> = Real;
export type RealClientFits = Fits<WwebjsClient, WAWebJS.Client>;
export type RealMessageFits = Fits<WwebjsMessage, WAWebJS.Message>;
