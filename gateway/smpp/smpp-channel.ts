import { InvalidPayloadError, type Channel, type ChannelDeps, type ChannelFactory, type ChannelRow, type SessionState } from '../channel.ts';
import { createDeliverHandler } from './smpp-deliver.ts';
import { createSmppLink, type BindCommand, type LinkState, type LinkTiming, type SmppLink } from './smpp-link.ts';
import { smppSecretsSchema, smppSettingsSchema } from './smpp-settings.ts';
import { createSubmitter, type SubmitTiming } from './smpp-submit.ts';
import { sentParts } from './sent-parts.ts';

export type SmppTiming = LinkTiming & SubmitTiming & { enquireLinkMs?: number };

export const DEFAULT_SMPP_TIMING: SmppTiming = {
  connectTimeoutMs: 10_000,
  reconnectBaseMs: 1_000,
  reconnectMaxMs: 60_000,
  refusedBindRetryMs: 5 * 60_000,
  stopTimeoutMs: 3_000,
  throttleRetryMs: 1_000,
  throttleRetries: 3,
};

/**
 * A carrier or aggregator SMSC over SMPP 3.4: one transceiver bind (or a transmitter and a receiver)
 * held by the session, which carries the sends. Inbound messages and receipts arrive over the bind,
 * never over a webhook.
 */
export function createSmppChannelWithTiming(row: ChannelRow, deps: ChannelDeps, timing: SmppTiming): Channel {
  const settings = smppSettingsSchema.parse(row.settings);
  const { password } = smppSecretsSchema.parse(row.secrets);
  const logger = deps.logger.child({ channelId: row.id, channel: 'smpp' });
  const deliver = createDeliverHandler(row, deps, settings);
  const binds: BindCommand[] = settings.bindMode === 'transceiver' ? ['bind_transceiver'] : ['bind_transmitter', 'bind_receiver'];
  let links: SmppLink[] = [];
  let states: (LinkState | undefined)[] = [];
  let reported = '';
  let reporting: Promise<void> = Promise.resolve();
  let running = false;

  /** The channel's state is its links' together: open when all are, an error when one has one. */
  function report() {
    const known = states.filter((state): state is LinkState => state !== undefined);
    const problem = known.find((state) => state.state === 'error') ?? known.find((state) => state.state === 'connecting');
    const next: SessionState =
      known.length === links.length && !problem
        ? { state: 'open', detail: known.map((state) => state.detail).join('; ') }
        : problem
          ? { state: problem.state === 'error' ? 'error' : 'connecting', detail: problem.detail }
          : { state: 'connecting', detail: `connecting to ${settings.host}:${settings.port}` };
    const key = JSON.stringify(next);
    if (key === reported || !running) return;
    reported = key;
    // In order: a later state must never be overwritten by an earlier, slower write.
    reporting = reporting.then(() => deps.reportState(row.id, next)).catch((error: unknown) => logger.warn({ err: error }, 'SMPP session state not reported'));
  }

  const submitLink = () => links[0]!;
  const send = createSubmitter(row, settings, submitLink, sentParts(deps.authState(row.id)), timing);

  return {
    type: row.type,
    // Nothing arrives over HTTP: the SMSC is authenticated by our bind (system_id + password).
    verify: () => false,
    normalize() {
      throw new InvalidPayloadError('SMPP channels receive over their bind, not over webhooks');
    },
    async send(message) {
      if (!running) return { ok: false, errorCode: 'not_bound', errorMessage: 'The SMPP session is not running on this node', retryable: true };
      return send(message);
    },
    session: {
      carriesSends: true,
      // As many sends in hand as the window holds, so throughput is window / round trip.
      sendConcurrency: settings.windowSize,
      async start() {
        if (running) return;
        running = true;
        reported = '';
        states = binds.map(() => undefined);
        links = binds.map((bind, i) =>
          createSmppLink(
            {
              bind,
              host: settings.host,
              port: settings.port,
              tls: settings.tls,
              tlsVerifyCertificate: settings.tlsVerifyCertificate,
              systemId: settings.systemId,
              password,
              systemType: settings.systemType,
              interfaceVersion: settings.interfaceVersion,
              addressRange: settings.addressRange,
              enquireLinkMs: timing.enquireLinkMs ?? settings.enquireLinkSeconds * 1000,
              responseTimeoutMs: settings.responseTimeoutSeconds * 1000,
              windowSize: settings.windowSize,
              timing,
              logger: logger.child({ bind }),
            },
            {
              state(state) {
                states[i] = state;
                report();
              },
              deliver,
            },
          ),
        );
        report();
        for (const link of links) link.start();
      },
      async stop() {
        if (!running) return;
        await Promise.all(links.map((link) => link.stop()));
        running = false;
        await reporting;
      },
    },
  };
}

export const createSmppChannel: ChannelFactory = (row, deps) => createSmppChannelWithTiming(row, deps, DEFAULT_SMPP_TIMING);
