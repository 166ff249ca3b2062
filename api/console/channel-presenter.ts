import QRCode from 'qrcode';
import type { channelLeases } from '../../db/schema/index.ts';
import type { ChannelRow } from '../../gateway/channel.ts';
import { CHANNEL_SCHEMAS } from '../../gateway/channel-schemas.ts';
import type { AppServices } from '../app-services.ts';
import { webhookUrl } from '../webhook-routes.ts';

type LeaseRow = typeof channelLeases.$inferSelect;

/**
 * The live state of a session channel (modem, SMPP, WhatsApp Web, pollers): what its node reported,
 * with the pairing QR as an image; `stopped` when no node holds it (no node runs the
 * session-channels role, or the channel is disabled). Null for channels without a session.
 */
async function presentSession(row: ChannelRow, lease: LeaseRow | undefined, services: AppServices) {
  let hasSession = false;
  try {
    hasSession = services.channels.supports(row.type) && services.channels.get(row).session !== undefined;
  } catch {
    hasSession = true; // settings the adapter cannot use: say so through the state below
  }
  if (!hasSession) return null;
  if (!lease || lease.expiresAt < new Date()) {
    return {
      state: 'stopped',
      qr: null,
      qrImage: null,
      detail: row.enabled ? 'No node holds this channel yet' : 'The channel is disabled',
      node: null,
      updatedAt: null,
    };
  }
  return {
    state: lease.state,
    qr: lease.qr,
    qrImage: lease.state === 'qr' && lease.qr ? await QRCode.toDataURL(lease.qr, { margin: 1, width: 264 }) : null,
    detail: lease.detail,
    node: lease.nodeId,
    updatedAt: lease.updatedAt.toISOString(),
  };
}

/** A channel as the console sees it: settings, which secrets are set (never their values), where providers call. */
export async function presentChannel(row: ChannelRow, services: AppServices, lease?: LeaseRow) {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    address: row.address,
    defaultCountry: row.defaultCountry,
    enabled: row.enabled,
    /** Sends per second across all nodes: the channel's own, else its type's default (null: unpaced). */
    sendsPerSecond: row.sendsPerSecond,
    effectiveSendsPerSecond: row.sendsPerSecond ?? CHANNEL_SCHEMAS[row.type]?.defaultSendsPerSecond ?? null,
    session: await presentSession(row, lease, services),
    settings: row.settings,
    secretsSet: Object.keys(row.secrets).sort(),
    receivesWebhooks: CHANNEL_SCHEMAS[row.type]?.webhooks !== false,
    webhookUrl: CHANNEL_SCHEMAS[row.type]?.webhooks === false ? null : webhookUrl(services.config.publicUrl, row.id),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
