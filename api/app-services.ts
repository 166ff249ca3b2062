import type postgres from 'postgres';
import type { ChannelRegistry } from '../gateway/channel-registry.ts';
import type { SendPacing } from '../gateway/send-pacing.ts';
import type { SessionManager } from '../gateway/session/session-manager.ts';
import type { Config } from '../kernel/config.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Services } from '../kernel/unit-of-work.ts';

/** Everything routes and job handlers of this process share; built once in `server/platform.ts`. */
export type AppServices = Services & {
  sql: postgres.Sql;
  channels: ChannelRegistry;
  /** Session channels (modem, SMPP, WhatsApp Web, pollers) held by this node under leases. */
  sessions: SessionManager;
  /** This node's send pacers per channel: blocks of the channel's shared slots, spent here. */
  pacing: SendPacing;
  config: Config;
  logger: Logger;
  /** Where this platform answers HTTP: PUBLIC_URL, else its own listening address (`{{platform.url}}` of bot flows). */
  selfUrl(): string;
  /** Whether the job queue has started and the database answers; `/readyz` reports it. */
  isReady(): Promise<boolean>;
};
