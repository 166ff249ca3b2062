import type { BindingInterface } from '@serialport/bindings-cpp';
import type { ChannelDeps, OutboundMessage, SendResult, SessionState } from '../channel.ts';
import { createMessageReferences } from './message-references.ts';
import { createModemLink, type LinkState, type ModemLink, type ModemTiming } from './modem-link.ts';
import { modemPin, type ModemSettings } from './modem-settings.ts';

type PoolOptions = {
  channelId: number;
  defaultCountry: string;
  settings: ModemSettings;
  secrets: Record<string, string>;
  binding: BindingInterface;
  timing: ModemTiming;
  deps: ChannelDeps;
};

export type ModemPool = {
  start(): Promise<void>;
  stop(): Promise<void>;
  send(message: OutboundMessage): Promise<SendResult>;
};

const describeLink = (link: ModemLink) => {
  const state: LinkState = link.state;
  if (state.status === 'disconnected') return `${link.name} disconnected: ${state.reason}`;
  if (state.status === 'failed') return `${link.name} needs attention: ${state.reason}`;
  return `${link.name} ${state.status}`;
};

/** The channel's state: open while any modem is ready; the detail lists every modem (`dongle0 ready, dongle1 disconnected: …`). */
export function poolState(links: readonly ModemLink[]): SessionState {
  const detail = links.map(describeLink).join(', ');
  if (links.some((link) => link.state.status === 'ready')) return { state: 'open', detail };
  if (links.every((link) => link.state.status === 'connecting')) return { state: 'connecting', detail };
  return { state: 'error', detail };
}

/** An SMS carries no attachment: its links follow the text. */
const smsText = (message: OutboundMessage) => [message.text, ...message.media.map((item) => item.url)].filter(Boolean).join('\n');

/**
 * The modems of one gsm_modem channel. A send goes to the modem its dial string names (`dongle1`,
 * or `dongle0,dongle2` to rotate over those), else to the next ready modem in turn.
 */
export function createModemPool(options: PoolOptions): ModemPool {
  const { deps, channelId } = options;
  const logger = deps.logger.child({ channelId, channelType: 'gsm_modem' });
  const references = createMessageReferences(deps.authState(channelId));
  let links: ModemLink[] = [];
  let rotation = 0;
  let reporting: Promise<void> = Promise.resolve();
  let reported = '';

  /** Reports in order, and only changes (each is a database write and a push to every admin console). */
  function report() {
    const state = poolState(links);
    const key = JSON.stringify(state);
    if (key === reported) return;
    reported = key;
    reporting = reporting.then(() => deps.reportState(channelId, state)).catch((error: unknown) => logger.warn({ err: error }, 'modem state not reported'));
  }

  return {
    async start() {
      links = options.settings.modems.map((config) =>
        createModemLink({
          config,
          pin: modemPin(options.secrets, config.name),
          binding: options.binding,
          timing: options.timing,
          channelId,
          defaultCountry: options.defaultCountry,
          references,
          receive: (content) => deps.receive(channelId, content),
          onState: report,
          logger,
        }),
      );
      report();
      for (const link of links) link.start();
    },
    async stop() {
      const stopping = links;
      links = [];
      await Promise.all(stopping.map((link) => link.stop()));
      await reporting;
    },
    async send(message) {
      if (links.length === 0) {
        return { ok: false, errorCode: 'modem_unavailable', errorMessage: 'The modems of this channel are not connected on this node', retryable: true };
      }
      const names =
        message.dialString
          ?.split(',')
          .map((name) => name.trim())
          .filter(Boolean) ?? [];
      let candidates = links;
      if (names.length > 0) {
        const unknown = names.filter((name) => !links.some((link) => link.name === name));
        if (unknown.length > 0) {
          return {
            ok: false,
            errorCode: 'unknown_modem',
            errorMessage: `No modem named ${unknown.join(', ')} in this channel (it has ${links.map((link) => link.name).join(', ')})`,
            retryable: false,
          };
        }
        candidates = links.filter((link) => names.includes(link.name));
      }
      const ready = candidates.filter((link) => link.state.status === 'ready');
      if (ready.length === 0) {
        return { ok: false, errorCode: 'modem_unavailable', errorMessage: `No modem is ready: ${candidates.map(describeLink).join(', ')}`, retryable: true };
      }
      const link = ready[rotation++ % ready.length]!;
      return link.send(message.to, smsText(message));
    },
  };
}
