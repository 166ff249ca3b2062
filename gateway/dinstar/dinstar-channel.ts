import type { Channel, ChannelFactory } from '../channel.ts';
import { createDinstarClient } from './dinstar-http.ts';
import { createDinstarPoller } from './dinstar-poller.ts';
import { normalizePush, verifyPush } from './dinstar-push.ts';
import { sendSms } from './dinstar-send.ts';
import { dinstarSecretsSchema, dinstarSettingsSchema } from './dinstar-settings.ts';

/**
 * A Dinstar GSM gateway (UC2000 / DWG, "New Version" HTTP API). Any node sends over HTTP; the node
 * holding the session polls for received SMS and results; pushes, when configured, arrive at the
 * channel's webhook. Building the adapter starts nothing: the session does, on `start`.
 */
export const createDinstarChannel: ChannelFactory = (row, deps): Channel => {
  const settings = dinstarSettingsSchema.parse(row.settings);
  const secrets = dinstarSecretsSchema.parse(row.secrets);
  const client = createDinstarClient(settings, secrets.password);
  return {
    type: row.type,
    verify: (request) => verifyPush(secrets.pushToken, request),
    normalize: (request) => normalizePush(row, settings, request),
    send: (message) => sendSms(client, row, settings, message),
    session: createDinstarPoller(row, settings, client, deps),
  };
};
