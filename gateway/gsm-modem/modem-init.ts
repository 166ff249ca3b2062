import type { AtDriver } from './at-driver.ts';
import { AtError, describeAtError } from './at-errors.ts';
import type { ModemConfig } from './modem-settings.ts';

/** A modem that cannot start. `retry: false` waits for the admin (a wrong PIN retried would lock the SIM). */
export class ModemSetupError extends Error {
  override name = 'ModemSetupError';
  readonly retry: boolean;
  constructor(message: string, retry: boolean) {
    super(message);
    this.retry = retry;
  }
}

/** How delivery reports reach us: pushed as `+CDS` (ds=1), stored and announced by `+CDSI` (ds=2), or not at all. */
export type StatusReportRoute = 'direct' | 'stored' | 'none';

type InitOptions = {
  config: ModemConfig;
  pin: string | undefined;
  sleep(ms: number): Promise<void>;
  /** How long to let a modem answer the ESC (an `OK` if a prompt was open) before the first command. */
  settleMs: number;
};

/** SIM still starting (after the PIN, or just plugged in): `+CMS ERROR: 314`, Huawei's 515, `+CME ERROR: 14`. */
const simBusy = (error: unknown) =>
  error instanceof AtError && ((error.kind === 'cms' && ['314', '515', '311'].includes(error.code ?? '')) || (error.kind === 'cme' && error.code === '14'));

async function whileSimBusy<T>(options: InitOptions, attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!simBusy(error) || tries >= 15) throw error;
      await options.sleep(1000);
    }
  }
}

async function unlockSim(driver: AtDriver, options: InitOptions) {
  const name = options.config.name;
  const state = async () => {
    const lines = await driver.run('AT+CPIN?');
    return /^\+CPIN:\s*(.+)$/.exec(lines.find((line) => line.startsWith('+CPIN:')) ?? '')?.[1]?.trim() ?? 'READY';
  };
  let pinState: string;
  try {
    pinState = await state();
  } catch (error) {
    if (error instanceof AtError && error.kind === 'cme' && error.code === '10') throw new ModemSetupError('no SIM card in the modem', true);
    throw error;
  }
  if (pinState === 'READY') return;
  if (pinState !== 'SIM PIN') {
    throw new ModemSetupError(`the SIM asks for ${pinState}: unlock it in a phone, then restart the channel`, false);
  }
  if (!options.pin) throw new ModemSetupError(`the SIM asks for its PIN: set the secret pin_${name}`, false);
  try {
    await driver.run(`AT+CPIN="${options.pin}"`, { timeoutMs: 20_000 });
  } catch (error) {
    if (error instanceof AtError && (error.kind === 'cme' || error.kind === 'error')) {
      // Not retried: three wrong PINs lock the SIM behind its PUK.
      throw new ModemSetupError(`the SIM refused the PIN in pin_${name} (${describeAtError(error) ?? error.message}); fix it, the modem waits`, false);
    }
    throw error;
  }
  for (let tries = 0; (await state().catch(() => 'starting')) !== 'READY'; tries++) {
    if (tries >= 15) throw new ModemSetupError('the SIM did not become ready after its PIN', true);
    await options.sleep(1000);
  }
}

/**
 * Brings a modem to a known state: ESC (a prompt left open), `AT` until it answers, no echo,
 * numeric errors, the SIM unlocked, PDU or text mode, message storage, and new-message (+CMTI) and
 * delivery-report (+CDS) indications; returns how reports will arrive.
 */
export async function initializeModem(driver: AtDriver, options: InitOptions): Promise<StatusReportRoute> {
  driver.writeRaw(Buffer.from([0x1b]));
  // A late `OK` for the ESC would otherwise be taken as the answer to the next command, and every
  // answer after it as the one before's; arriving while no command waits, it is dropped.
  await options.sleep(options.settleMs);
  await driver.run('AT', { timeoutMs: 3000 }); // no answer: the link retries the whole start with backoff
  await driver.run('ATE0');
  await driver.run('AT+CMEE=1').catch(() => {}); // without it errors are a bare ERROR: still usable
  await unlockSim(driver, options);
  const { mode, storage } = options.config;
  await whileSimBusy(options, () => driver.run(`AT+CMGF=${mode === 'pdu' ? 0 : 1}`));
  if (mode === 'text') {
    await driver.run('AT+CSCS="GSM"');
    // SMS-SUBMIT with a relative validity period (167: 24 hours), no delivery report: text mode has no way to read one back.
    await driver.run('AT+CSMP=17,167,0,0').catch(() => {});
  }
  await whileSimBusy(options, () => driver.run(`AT+CPMS="${storage}","${storage}","${storage}"`));
  // mt=1: a received SMS is stored and announced by +CMTI, so it stays on the SIM until we stored it.
  const routes: [string, StatusReportRoute][] =
    mode === 'pdu'
      ? [
          ['2,1,0,1,0', 'direct'],
          ['2,1,0,2,0', 'stored'],
          ['2,1,0,0,0', 'none'],
        ]
      : [['2,1,0,0,0', 'none']];
  for (const [cnmi, route] of routes) {
    try {
      await driver.run(`AT+CNMI=${cnmi}`);
      return route;
    } catch (error) {
      if (!(error instanceof AtError) || error.kind === 'timeout' || error.kind === 'closed') throw error;
    }
  }
  return 'none'; // no indications at all: the periodic listing still finds what arrives
}
