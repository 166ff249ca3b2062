/**
 * The platform as a process of its own, for benches that measure it from outside (its CPU and RSS
 * alone, its event loop shared with no load generator): `startPlatform` with the configuration of
 * its environment (set by bench/platform-process.ts), logging to stderr. Closing the IPC channel
 * stops it gracefully (`platform.stop()`), then it exits.
 */
import pino from 'pino';
import { loadConfig } from '../kernel/config.ts';
import { createLogger } from '../kernel/logger.ts';
import { startPlatform } from '../server/platform.ts';
import { serveParent } from './bench-child.ts';

const config = loadConfig();
const logger = createLogger(config.logLevel, pino.destination(2));
const platform = await startPlatform({ config, logger, databaseUrl: config.databaseUrl! });
serveParent({ memory: () => process.memoryUsage() }, { url: platform.url }, () => platform.stop());
