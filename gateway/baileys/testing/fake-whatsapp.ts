import { randomBytes } from 'node:crypto';
import {
  addTransactionCapability,
  DEFAULT_CONNECTION_CONFIG,
  DisconnectReason,
  generateMessageIDV2,
  getNextPreKeys,
  jidEncode,
  makeEventBuffer,
  WAMessageStatus,
  type AnyMessageContent,
  type BaileysEventMap,
  type proto,
  type UserFacingSocketConfig,
  type WAMessage,
  type WAPresence,
  type WASocket,
} from '@whiskeysockets/baileys';
import { pino } from 'pino';
import type { BaileysSocket, SocketMaker } from '../baileys-socket.ts';

/** An error as Baileys raises them (a Boom): the status in `output.statusCode`, a server's error code in `data`. */
export function boomError(message: string, options: { statusCode?: number; data?: unknown } = {}) {
  return Object.assign(new Error(message), { isBoom: true, output: { statusCode: options.statusCode ?? 500 }, data: options.data });
}

export type FakeSend = { jid: string; content: AnyMessageContent; message: WAMessage };
/** A chat state or presence the adapter sent. */
export type FakePresence = { type: WAPresence; jid: string | undefined };

/** A socket as the adapter sees it, plus what a test does to it as WhatsApp's servers and the phone. */
export type FakeSocket = Omit<BaileysSocket, 'signalRepository'> & {
  /** Baileys' real signal repository (its LID mapping writes `lid-mapping` keys through the adapter's store). */
  signalRepository: WASocket['signalRepository'];
  config: UserFacingSocketConfig;
  readonly ended: boolean;
  /** How many `ev.process` handlers are attached (the adapter must detach when it lets go). */
  readonly subscriptions: number;
  /** The phone scanned the QR: WhatsApp pairs the device and asks for a restart (515). */
  pair(): void;
  /** WhatsApp closes the connection with this status code (401 logged out, 428 closed, 515 restart…). */
  close(statusCode: number, message?: string): void;
  emit<E extends keyof BaileysEventMap>(event: E, data: BaileysEventMap[E]): void;
};

const logger = pino({ level: 'silent' });

/**
 * WhatsApp's side of a linked device, for tests. Each socket it hands out is built like Baileys'
 * own: Baileys' real event buffer (`ev.process`, consolidation), its real signal repository (LID
 * mapping) over the auth keys the adapter passed in with Baileys' transaction wrapper, creds updated
 * from `creds.update` as `makeSocket` does. Only the network is fake: `connecting`, then a QR for an
 * unpaired device or `open` for a paired one; pairing emits the new creds and closes with 515; login
 * uploads pre-keys through the key store, as Baileys does after `CB:success`.
 */
export function createFakeWhatsApp(options: { phone: string; registered?: string[]; autoPair?: boolean; autoOpen?: boolean }) {
  /** What WhatsApp does with the next sockets: pair at the first QR (a phone scans it), log a paired device in. */
  const behaviour = { autoPair: options.autoPair ?? false, autoOpen: options.autoOpen ?? true };
  const sockets: FakeSocket[] = [];
  const sends: FakeSend[] = [];
  const presences: FakePresence[] = [];
  const waiting: ((send: FakeSend) => void)[] = [];
  const registered = new Set(options.registered ?? []);
  const numberChecks: string[] = [];
  let failNext: Error | undefined;
  let qrCount = 0;

  const makeSocket: SocketMaker = (config) => {
    const auth = config.auth!;
    const { creds } = auth;
    const keys = addTransactionCapability(auth.keys, logger, DEFAULT_CONNECTION_CONFIG.transactionOpts);
    const signalRepository = DEFAULT_CONNECTION_CONFIG.makeSignalRepository({ creds, keys }, logger);
    const buffer = makeEventBuffer(logger);
    let ended = false;
    let subscriptions = 0;
    const ev: BaileysSocket['ev'] = {
      ...buffer,
      process(handler) {
        subscriptions += 1;
        const off = buffer.process(handler);
        return () => {
          subscriptions -= 1;
          off();
        };
      },
    };
    ev.on('creds.update', (update) => Object.assign(creds, update));
    const emit = <E extends keyof BaileysEventMap>(event: E, data: BaileysEventMap[E]) => void ev.emit(event, data);

    async function end(error: Error | undefined) {
      if (ended) return;
      ended = true;
      signalRepository.close?.();
      emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } });
      ev.removeAllListeners('connection.update');
      ev.destroy();
    }

    async function login() {
      if (creds.nextPreKeyId === 1) {
        const { update } = await keys.transaction(() => getNextPreKeys({ creds, keys }, 3), creds.me!.id);
        emit('creds.update', update);
      }
      if (ended) return;
      emit('connection.update', { connection: 'open' });
    }

    const socket: FakeSocket = {
      config,
      ev,
      signalRepository,
      get user() {
        return creds.me;
      },
      get ended() {
        return ended;
      },
      get subscriptions() {
        return subscriptions;
      },
      end,
      emit,
      async onWhatsApp(...jids: string[]) {
        if (ended) throw boomError('Connection Closed', { statusCode: DisconnectReason.connectionClosed });
        const numbers = jids.map((jid) => jid.split('@')[0]!.split(':')[0]!.replace('+', ''));
        numberChecks.push(...numbers);
        return numbers.filter((number) => registered.has(number)).map((number) => ({ jid: `${number}@s.whatsapp.net`, exists: true }));
      },
      async sendMessage(jid: string, content: AnyMessageContent) {
        if (ended) throw boomError('Connection Closed', { statusCode: DisconnectReason.connectionClosed });
        const failure = failNext;
        failNext = undefined;
        if (failure) throw failure;
        const message: WAMessage = {
          key: { remoteJid: jid, fromMe: true, id: generateMessageIDV2(creds.me?.id) },
          message: ('text' in content ? { extendedTextMessage: { text: content.text } } : { [`${Object.keys(content)[0]}Message`]: {} }) as proto.IMessage,
          messageTimestamp: Math.floor(Date.now() / 1000),
          status: WAMessageStatus.SERVER_ACK,
        };
        const send = { jid, content, message };
        sends.push(send);
        waiting.shift()?.(send);
        // Baileys' emitOwnEvents (on by default): our own message comes back as an `append` upsert.
        process.nextTick(() => emit('messages.upsert', { messages: [message], type: 'append' }));
        return message;
      },
      async sendPresenceUpdate(type: WAPresence, jid?: string) {
        if (ended) throw boomError('Connection Closed', { statusCode: DisconnectReason.connectionClosed });
        presences.push({ type, jid });
      },
      pair() {
        const device = 1 + sockets.length;
        emit('creds.update', {
          me: { id: jidEncode(options.phone, 's.whatsapp.net', device), name: 'Fake Business', lid: jidEncode('1' + options.phone.slice(-8), 'lid', device) },
          platform: 'smba',
          registered: true,
        });
        emit('connection.update', { isNewLogin: true, qr: undefined });
        socket.close(DisconnectReason.restartRequired, 'Stream Errored (restart required)');
      },
      close(statusCode, message = 'Connection Failure') {
        void end(boomError(message, { statusCode }));
      },
    };
    sockets.push(socket);
    // As Baileys: `connecting` on the next tick, then the QR or the login.
    process.nextTick(() => {
      if (ended) return;
      emit('connection.update', { connection: 'connecting', receivedPendingNotifications: false, qr: undefined });
      if (creds.me?.id) {
        if (behaviour.autoOpen) void login();
        return;
      }
      emit('connection.update', { qr: `2@${randomBytes(12).toString('base64')},fake-qr-${++qrCount}` });
      if (behaviour.autoPair) socket.pair();
    });
    return socket;
  };

  return {
    makeSocket,
    behaviour,
    sockets,
    sends,
    /** Chat states and presences sent (composing, paused…). */
    presences,
    /** Numbers `onWhatsApp` was asked about. */
    numberChecks,
    registered,
    /** The socket the adapter opened last. */
    current(): FakeSocket {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('the adapter has not opened a socket yet');
      return socket;
    },
    nextSend: () => new Promise<FakeSend>((resolve) => waiting.push(resolve)),
    /** The next `sendMessage` rejects with this error. */
    failNextSend(error: Error) {
      failNext = error;
    },
    /** A customer's message, as Baileys emits it once decrypted. */
    upsert(messages: WAMessage[], type: 'notify' | 'append' = 'notify') {
      this.current().emit('messages.upsert', { messages, type });
    },
  };
}

export type FakeWhatsApp = ReturnType<typeof createFakeWhatsApp>;

/** A one-to-one text message from `jid`, shaped as Baileys' `messages.upsert` carries it. */
export function textFrom(jid: string, text: string, extra: Partial<WAMessage> & { key?: Partial<WAMessage['key']> } = {}): WAMessage {
  const { key, ...rest } = extra;
  return {
    key: { remoteJid: jid, fromMe: false, id: randomBytes(10).toString('hex').toUpperCase(), ...key },
    message: { conversation: text },
    messageTimestamp: Math.floor(Date.now() / 1000),
    pushName: 'Lucía',
    ...rest,
  };
}
