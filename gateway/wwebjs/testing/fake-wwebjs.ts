import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { RemoteAuthClass, WwebjsClient, WwebjsClientOptions, WwebjsLibrary, WwebjsMessage } from '../wwebjs-library.ts';

/**
 * The real RemoteAuth: its module needs no browser (fs-extra, archiver, unzipper), so the fake clients
 * run the real profile zip and our PostgreSQL store, exactly as the real client calls them.
 */
const RealRemoteAuth = createRequire(import.meta.url)('whatsapp-web.js/src/authStrategies/RemoteAuth.js') as RemoteAuthClass;

/** Where the fake browser keeps its login, inside a folder RemoteAuth copies (Default/Local Storage). */
const LOGIN_FILE = path.join('Default', 'Local Storage', 'leveldb', 'fake-whatsapp-login.json');

export type SentMessage = { chatId: string; text: string; providerMessageId: string };
/** A chat state the adapter set: `typing` (sendStateTyping) or `stop` (clearState). */
export type ChatState = { chatId: string; state: 'typing' | 'stop' };

const hex = (bytes: number) => randomBytes(bytes).toString('hex').toUpperCase();

/**
 * WhatsApp's side for tests: the phone that scans QR codes and unlinks devices, the customers who
 * write, the accounts that exist. Every client built from `library()` talks to it; it emits the
 * events whatsapp-web.js emits, in the order src/Client.js does.
 */
export class FakeWhatsApp {
  readonly clients: FakeClient[] = [];
  readonly sent: SentMessage[] = [];
  readonly chatStates: ChatState[] = [];
  /** Our number (digits), as `client.info.wid.user`. */
  readonly ourNumber: string;
  /** Numbers without a WhatsApp account. */
  readonly unregistered = new Set<string>();
  /** `@lid` ids WhatsApp Web can map to a phone (`<digits>@c.us`). */
  readonly lidPhones = new Map<string, string>();
  /** The phone scans every QR at once (the contract suite has no one to scan). */
  scanOnQr: boolean;
  #failure: { code: string; message: string } | undefined;
  #sendWaiters: ((sent: SentMessage) => void)[] = [];

  constructor(options: { ourNumber?: string; scanOnQr?: boolean } = {}) {
    this.ourNumber = options.ourNumber ?? '59899000111';
    this.scanOnQr = options.scanOnQr ?? false;
  }

  library(): WwebjsLibrary {
    const whatsapp = this;
    return {
      Client: class extends FakeClient {
        constructor(options: WwebjsClientOptions) {
          super(whatsapp, options);
        }
      },
      RemoteAuth: RealRemoteAuth,
    };
  }

  /** The client that is running (initialized, not destroyed). */
  get client(): FakeClient | undefined {
    return this.clients.findLast((client) => !client.destroyed);
  }

  #live(): FakeClient {
    const client = this.client;
    if (!client) throw new Error('no whatsapp-web.js client is running');
    return client;
  }

  /** The phone scans the QR the running client shows. */
  scan(): Promise<void> {
    return this.#live().pair();
  }

  /** The phone removes this linked device (src/Client.js `framenavigated` with post_logout=1). */
  unlink(): FakeClient {
    const client = this.#live();
    client.loggedOut();
    return client;
  }

  /** WhatsApp Web leaves the accepted states (src/Client.js `onAppStateChangedEvent`). */
  drop(state = 'UNLAUNCHED'): Promise<void> {
    return this.#live().dropped(state);
  }

  /** A customer writes: the raw model fields whatsapp-web.js turns into a Message. */
  deliver(message: { id: string; from: string; body?: string } & Partial<Omit<WwebjsMessage, 'id' | 'from' | 'getContact'>>) {
    const client = this.#live();
    const { id, from, body = '', ...rest } = message;
    const remote = from;
    const received: WwebjsMessage = {
      id: { fromMe: false, remote, id, _serialized: `false_${remote}_${id}${rest.author ? `_${rest.author}` : ''}` },
      from,
      to: `${this.ourNumber}@c.us`,
      fromMe: false,
      body,
      type: 'chat',
      hasMedia: false,
      timestamp: Math.floor(Date.now() / 1000),
      isStatus: from === 'status@broadcast',
      broadcast: false,
      ...rest,
      getContact: async () => {
        const jid = rest.author ?? from;
        const phone = this.lidPhones.get(jid) ?? jid;
        const [user = '', server = ''] = phone.split('@');
        return { id: { user, server, _serialized: phone } };
      },
    };
    client.emit('message', received);
  }

  /** WhatsApp reports on a message we sent (2 device, 3 read, -1 error). */
  ack(providerMessageId: string, ack: number) {
    const [, remote = ''] = providerMessageId.split('_');
    const message = { id: { fromMe: true, remote, id: providerMessageId.split('_').at(-1) ?? '', _serialized: providerMessageId } };
    this.#live().emit('message_ack', message, ack);
  }

  /** The next `sendMessage` rejects with this text and `code`, as a WhatsApp Web error would (see sendFailure). */
  failNextSend(failure: { code: string; message: string }) {
    this.#failure = failure;
  }

  nextSend(): Promise<SentMessage> {
    return new Promise((resolve) => this.#sendWaiters.push(resolve));
  }

  takeFailure() {
    const failure = this.#failure;
    this.#failure = undefined;
    return failure;
  }

  recordSend(sent: SentMessage) {
    this.sent.push(sent);
    for (const waiter of this.#sendWaiters.splice(0)) waiter(sent);
  }
}

/** A whatsapp-web.js Client without a browser: the same events, auth strategy calls and methods. */
export class FakeClient extends EventEmitter implements WwebjsClient {
  readonly options: WwebjsClientOptions;
  info?: { wid: { user: string; server: string; _serialized: string } };
  destroyed = false;
  ready = false;
  /** The re-initialization after a logout, which the adapter's auth strategy holds (it never settles). */
  relogin: Promise<void> | undefined;
  readonly #whatsapp: FakeWhatsApp;

  constructor(whatsapp: FakeWhatsApp, options: WwebjsClientOptions) {
    super();
    this.#whatsapp = whatsapp;
    this.options = options;
    options.authStrategy.setup(this); // as the real constructor does
  }

  get #auth() {
    return this.options.authStrategy;
  }

  get #loginFile() {
    return path.join(this.options.puppeteer.userDataDir!, LOGIN_FILE);
  }

  async initialize() {
    this.#whatsapp.clients.push(this);
    // RemoteAuth extracts the stored profile here and points puppeteer's userDataDir at it.
    await this.#auth.beforeBrowserInitialized();
    await this.#auth.afterBrowserInitialized();
    const loggedIn = await fs.access(this.#loginFile).then(
      () => true,
      () => false,
    );
    if (loggedIn) return this.#becomeReady();
    this.emit('qr', `2@${hex(16)},${hex(8)},${hex(8)},${hex(4)}`);
    if (this.#whatsapp.scanOnQr) setImmediate(() => void this.pair().catch(() => {}));
  }

  /** The phone scanned our QR: the browser keeps the login in its profile. */
  async pair() {
    if (this.destroyed || this.ready) return;
    await fs.mkdir(path.dirname(this.#loginFile), { recursive: true });
    await fs.writeFile(this.#loginFile, JSON.stringify({ number: this.#whatsapp.ourNumber }));
    this.emit('authenticated');
    this.#becomeReady();
  }

  #becomeReady() {
    const user = this.#whatsapp.ourNumber;
    this.info = { wid: { user, server: 'c.us', _serialized: `${user}@c.us` } };
    this.ready = true;
    this.emit('ready');
    void this.#auth.afterAuthReady();
  }

  /** As the real `framenavigated` listener: emits, then re-initializes the auth strategy (not awaited by anyone). */
  loggedOut() {
    this.ready = false;
    this.emit('disconnected', 'LOGOUT');
    this.relogin = (async () => {
      await this.#auth.logout();
      await this.#auth.beforeBrowserInitialized();
      await this.#auth.afterBrowserInitialized();
      this.emit('qr', `2@${hex(16)},${hex(8)},${hex(8)},${hex(4)}`);
    })();
  }

  async dropped(state: string) {
    this.ready = false;
    await this.#auth.disconnect();
    this.emit('disconnected', state);
    void this.destroy();
  }

  async destroy() {
    this.destroyed = true;
    this.ready = false;
    await this.#auth.destroy();
  }

  async getNumberId(number: string) {
    const user = number.replace(/@c\.us$/, '');
    return this.#whatsapp.unregistered.has(user) ? null : { server: 'c.us', user, _serialized: `${user}@c.us` };
  }

  async sendMessage(chatId: string, content: string) {
    if (!this.ready) throw new Error('Evaluation failed: TypeError: window.WWebJS is undefined');
    const failure = this.#whatsapp.takeFailure();
    if (failure) throw Object.assign(new Error(failure.message), { code: failure.code });
    const id = `3EB0${hex(9)}`;
    const providerMessageId = `true_${chatId}_${id}`;
    this.#whatsapp.recordSend({ chatId, text: content, providerMessageId });
    return { id: { fromMe: true, remote: chatId, id, _serialized: providerMessageId } };
  }

  /** Every chat exists (WhatsApp Web creates one on the first message); its states are recorded. */
  async getChatById(chatId: string) {
    const whatsapp = this.#whatsapp;
    const record = async (state: ChatState['state']) => {
      if (!this.ready) throw new Error('Evaluation failed: TypeError: window.WWebJS is undefined');
      whatsapp.chatStates.push({ chatId, state });
      return true;
    };
    return { sendStateTyping: () => record('typing'), clearState: () => record('stop') };
  }

  async getContactLidAndPhone(userIds: string[]) {
    return userIds.map((lid) => ({ lid, pn: this.#whatsapp.lidPhones.get(lid) }));
  }
}
