import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../test/harness/temporary-postgres.ts';
import { processCpuMs } from './proc-cpu.ts';

const BEARERBOX = '/usr/sbin/bearerbox';
const SMSBOX = '/usr/sbin/smsbox';
const MTBATCH = '/usr/bin/mtbatch';
const PASSWORD = 'bench';

/** Every Kannel started here, so a benchmark that dies on the way still leaves none running. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Kannel's binaries, installed from Debian when missing and this process may (root with apt-get);
 * else the reason the benchmark skips Kannel.
 */
export function kannelAvailable(): { ok: true; mtbatch: boolean } | { ok: false; reason: string } {
  if (!existsSync(BEARERBOX) || !existsSync(SMSBOX)) {
    if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get'))
      return { ok: false, reason: `Kannel is not installed (${BEARERBOX}) and this process cannot apt-get install it` };
    try {
      execFileSync('/usr/bin/apt-get', ['install', '-y', '--no-install-recommends', 'kannel'], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch (error) {
      return { ok: false, reason: `apt-get install -y kannel failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
    }
    if (!existsSync(BEARERBOX) || !existsSync(SMSBOX)) return { ok: false, reason: 'apt-get installed kannel but bearerbox or smsbox is missing' };
  }
  return { ok: true, mtbatch: existsSync(MTBATCH) };
}

export type KannelStatus = { smscStatus: string; smscSent: number; smscQueued: number; smscFailed: number; outgoingQueued: number; smsboxOnline: boolean };

export type Kannel = Awaited<ReturnType<typeof startKannel>>;

/**
 * Writes a kannel.conf in a temporary folder (bearerbox with one `smsc = smpp` group bound to the
 * sink as a transceiver, `max-pending-submits` = the window, no throughput cap, no store; a smsbox
 * with one sendsms-user; logs at warning level), starts bearerbox and smsbox, and waits until the
 * SMSC is bound and the smsbox connected, as bearerbox's status page says.
 */
export async function startKannel(options: { sinkPort: number; window: number; readyTimeoutMs?: number }) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'omnichat-kannel-'));
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort());
  const [adminPort, smsboxPort, sendsmsPort] = [...ports] as [number, number, number];
  const conf = path.join(dir, 'kannel.conf');
  await fs.writeFile(
    conf,
    [
      'group = core',
      `admin-port = ${adminPort}`,
      `admin-password = ${PASSWORD}`,
      `status-password = ${PASSWORD}`,
      'admin-allow-ip = "127.0.0.1"',
      `smsbox-port = ${smsboxPort}`,
      'box-allow-ip = "127.0.0.1"',
      `log-file = "${path.join(dir, 'bearerbox.log')}"`,
      'log-level = 2',
      // No store-type/store-location: no message store (status.xml says storesize -1).
      '',
      'group = smsc',
      'smsc = smpp',
      'smsc-id = sink',
      'host = 127.0.0.1',
      `port = ${options.sinkPort}`,
      'transceiver-mode = true',
      'smsc-username = bench',
      `smsc-password = ${PASSWORD}`,
      'system-type = ""',
      `max-pending-submits = ${options.window}`,
      'enquire-link-interval = 30',
      '',
      'group = smsbox',
      'bearerbox-host = 127.0.0.1',
      `sendsms-port = ${sendsmsPort}`,
      `log-file = "${path.join(dir, 'smsbox.log')}"`,
      'log-level = 2',
      '',
      'group = sendsms-user',
      'username = bench',
      `password = ${PASSWORD}`,
      'max-messages = 1',
      '',
    ].join('\n'),
  );

  const children: ChildProcess[] = [];
  /** `-v 3`: errors only on stderr; left at its default (debug), bearerbox writes several lines per message. */
  const start = (binary: string, name: string) => {
    const out = openSync(path.join(dir, `${name}.stderr`), 'a');
    const child = spawn(binary, ['-v', '3', conf], { cwd: dir, stdio: ['ignore', out, out] });
    closeSync(out);
    child.on('error', () => {}); // reported through its exit
    live.add(child);
    child.once('exit', () => live.delete(child));
    children.push(child);
    return child;
  };
  const logTail = () =>
    ['bearerbox.log', 'bearerbox.stderr', 'smsbox.log', 'smsbox.stderr']
      .map((file) => {
        try {
          return `${file}: ${readFileSync(path.join(dir, file), 'utf8').trim().split('\n').slice(-5).join(' | ')}`;
        } catch {
          return '';
        }
      })
      .filter(Boolean)
      .join('\n');
  const ended = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

  async function status(): Promise<KannelStatus | null> {
    const answer = await get(adminPort, `/status.xml?password=${PASSWORD}`).catch(() => null);
    if (answer?.status !== 200) return null;
    return parseStatus(answer.body);
  }

  async function stop() {
    for (const child of children) if (!ended(child)) child.kill('SIGTERM');
    await Promise.all(
      children.map(async (child) => {
        if (ended(child)) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    await fs.rm(dir, { recursive: true, force: true });
  }

  try {
    const bearerbox = start(BEARERBOX, 'bearerbox');
    // smsbox needs bearerbox's box port: start it once the admin page answers.
    await until(
      async () => (await status()) !== null,
      options.readyTimeoutMs ?? 30_000,
      () => (ended(bearerbox) ? 'bearerbox exited' : null),
      () => `bearerbox's status page did not answer\n${logTail()}`,
    );
    const smsbox = start(SMSBOX, 'smsbox');
    let last: KannelStatus | null = null;
    await until(
      async () => {
        last = await status();
        if (!last?.smscStatus.startsWith('online') || !last.smsboxOnline) return false;
        // The sendsms port answers too (a request without credentials is refused with 403).
        return (await get(sendsmsPort, '/cgi-bin/sendsms').catch(() => null)) !== null;
      },
      options.readyTimeoutMs ?? 30_000,
      () => (ended(bearerbox) ? 'bearerbox exited' : ended(smsbox) ? 'smsbox exited' : null),
      () => `Kannel did not get ready (last status: ${JSON.stringify(last)})\n${logTail()}`,
    );
    return {
      dir,
      sendsmsPort,
      smsboxPort,
      pids: () => children.filter((child) => !ended(child)).map((child) => child.pid!),
      /** CPU of bearerbox and smsbox so far (from /proc). */
      cpuMs: () => children.reduce((sum, child) => sum + (processCpuMs(child.pid!) ?? 0), 0),
      status,
      logTail,
      /** Until bearerbox has handed `sent` messages to the SMSC and holds none: late resends would show up at the sink by then. */
      async drained(sent: number, timeoutMs: number) {
        let seen: KannelStatus | null = null;
        await until(
          async () => {
            seen = await status();
            return seen !== null && seen.smscSent + seen.smscFailed >= sent && seen.smscQueued === 0 && seen.outgoingQueued === 0;
          },
          timeoutMs,
          () => null,
          () => `Kannel did not drain within ${timeoutMs / 1000} s (last status: ${JSON.stringify(seen)})`,
        );
        return seen! as KannelStatus;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls `check` every 100 ms until it says yes; fails at once when `dead` names a reason, or after `timeoutMs`. */
async function until(check: () => Promise<boolean>, timeoutMs: number, dead: () => string | null, describe: () => string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    const reason = dead();
    if (reason) throw new Error(`${reason}: ${describe()}`);
    if (Date.now() > deadline) throw new Error(describe());
    await sleep(100);
  }
}

function parseStatus(xml: string): KannelStatus {
  const smsc = /<smsc>([\s\S]*?)<\/smsc>/.exec(xml)?.[1] ?? '';
  const number = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
  const sms = /<gateway>[\s\S]*?<sms>([\s\S]*?)<\/sms>/.exec(xml)?.[1] ?? '';
  return {
    smscStatus: /<status>([^<]*)<\/status>/.exec(smsc)?.[1] ?? '',
    smscSent: number(smsc, /<sms>\s*<received>\d+<\/received>\s*<sent>(\d+)<\/sent>/),
    smscQueued: number(smsc, /<queued>(\d+)<\/queued>/),
    smscFailed: number(smsc, /<failed>(\d+)<\/failed>/),
    outgoingQueued: number(sms, /<sent>\s*<total>\d+<\/total>\s*<queued>(\d+)<\/queued>/),
    smsboxOnline: /<box>\s*<type>smsbox<\/type>[\s\S]*?<status>on-line/.test(xml),
  };
}

/** One GET with a 5 s timeout, on a keep-alive agent when given. */
export function get(port: number, pathAndQuery: string, agent?: http.Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: pathAndQuery, agent: agent ?? false, timeout: 5_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${pathAndQuery.split('?')[0]} on port ${port} timed out`)));
    request.on('error', reject);
  });
}

/**
 * Feeds `messages` through smsbox's `/cgi-bin/sendsms`, `concurrency` requests in flight on as many
 * keep-alive connections. A refused request (anything but 202) is tried again, 5 times at most.
 * Answers the requests retried.
 */
export async function feedSendsms(
  kannel: Kannel,
  messages: { count: number; from: string; to: (i: number) => string; text: (i: number) => string },
  concurrency: number,
  signal: AbortSignal,
): Promise<{ retried: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  let retried = 0;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < messages.count && !signal.aborted) {
          const i = next++;
          const query = `username=bench&password=${PASSWORD}&from=${encodeURIComponent(messages.from)}&to=${messages.to(i)}&text=${encodeURIComponent(messages.text(i))}`;
          for (let attempt = 1; ; attempt++) {
            const answer = await get(kannel.sendsmsPort, `/cgi-bin/sendsms?${query}`, agent).catch((error: Error) => ({ status: 0, body: error.message }));
            if (answer.status === 202) break;
            if (attempt >= 5) throw new Error(`sendsms refused message ${i} 5 times: ${answer.status} ${answer.body.trim()}`);
            retried++;
            await sleep(100 * attempt);
          }
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  return { retried };
}

/**
 * Feeds `count` messages with Kannel's own batch tool: one text (the content file) to every number of
 * the receivers file, over a box connection to bearerbox. Resolves when mtbatch exits 0.
 */
export async function feedMtbatch(kannel: Kannel, messages: { count: number; from: string; to: (i: number) => string; text: string }): Promise<void> {
  const content = path.join(kannel.dir, 'content.txt');
  const receivers = path.join(kannel.dir, 'receivers.txt');
  await fs.writeFile(content, `${messages.text}\n`);
  await fs.writeFile(receivers, `${Array.from({ length: messages.count }, (_, i) => messages.to(i)).join('\n')}\n`);
  const out = path.join(kannel.dir, 'mtbatch.stderr');
  const fd = openSync(out, 'a');
  const child = spawn(MTBATCH, ['-v', '3', '-b', '127.0.0.1', '-p', String(kannel.smsboxPort), '-f', messages.from, content, receivers], {
    cwd: kannel.dir,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  live.add(child);
  const code = await new Promise<number | string>((resolve) => {
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (exitCode, exitSignal) => resolve(exitCode ?? exitSignal ?? 'unknown'));
  });
  live.delete(child);
  if (code !== 0) throw new Error(`mtbatch ended with ${code}: ${readFileSync(out, 'utf8').trim().split('\n').slice(-5).join(' | ')}`);
}
