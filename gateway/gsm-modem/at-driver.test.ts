import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createAtDriver, type Urc } from './at-driver.ts';
import { AtError } from './at-errors.ts';

/** Lets a queued command reach the line (it starts after the ones before it, asynchronously). */
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A driver wired to a recorded line: `modem(...)` plays what the modem says, `written` is what we sent. */
function line(commandTimeoutMs = 2000) {
  const written: string[] = [];
  const urcs: Urc[] = [];
  const timeouts: string[] = [];
  const driver = createAtDriver({
    write: (bytes) => written.push(bytes.toString('latin1')),
    onUrc: (urc) => urcs.push(urc),
    onTimeout: (command) => timeouts.push(command),
    commandTimeoutMs,
    logger: pino({ level: 'silent' }),
  });
  const modem = (...chunks: string[]) => {
    for (const chunk of chunks) driver.receive(Buffer.from(chunk, 'latin1'));
  };
  return { driver, written, urcs, timeouts, modem };
}

describe('AT driver', () => {
  it('sends the PDU only after the `> ` prompt, even when the prompt comes in pieces, then reads +CMGS', async () => {
    const { driver, written, modem } = line();
    const sending = driver.runWithPrompt('AT+CMGS=18', Buffer.from('0011000B914151552576F10000AA05C8329BFD06'));
    await tick();
    expect(written).toEqual(['AT+CMGS=18\r']);
    modem('\r\n>');
    expect(written.at(-1)).toBe('0011000B914151552576F10000AA05C8329BFD06\u001a');
    modem(' ', '\r\n+CMGS: 12\r\n', '\r\nOK\r\n');
    await expect(sending).resolves.toEqual(['+CMGS: 12']);
  });

  it('tells unsolicited result codes from the response they interrupt, with the PDU line that follows +CDS', async () => {
    const { driver, urcs, modem } = line();
    const listing = driver.run('AT+CMGL=4');
    await tick();
    modem('\r\n+CMGL: 1,0,,23\r\n07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07\r\n');
    modem('\r\n+CMTI: "SM",2\r\n', '\r\n+CDS: 25\r\n', '07911326040000F006270B911326880736F4111011719551401110117195714000\r\n', '\r\nRING\r\n');
    modem('\r\n+CMGL: 3,1,,5\r\n00AABBCCDD\r\n\r\nOK\r\n');
    await expect(listing).resolves.toEqual([
      '+CMGL: 1,0,,23',
      '07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07',
      '+CMGL: 3,1,,5',
      '00AABBCCDD',
    ]);
    expect(urcs).toEqual([
      { line: '+CMTI: "SM",2' },
      { line: '+CDS: 25', body: '07911326040000F006270B911326880736F4111011719551401110117195714000' },
      { line: 'RING' },
    ]);
  });

  it('fails a command with the error it got: +CMS ERROR, +CME ERROR or a bare ERROR', async () => {
    const { driver, modem } = line();
    const refused = driver.run('AT+CMGS=18');
    await tick();
    modem('\r\n+CMS ERROR: 42\r\n');
    await expect(refused).rejects.toMatchObject({ kind: 'cms', code: '42' });
    const pin = driver.run('AT+CPIN="1234"');
    await tick();
    modem('\r\n+CME ERROR: 16\r\n');
    const error = await pin.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(AtError);
    expect(error).toMatchObject({ kind: 'cme', code: '16' });
    expect((error as Error).message).not.toContain('1234');
    const bare = driver.run('AT+FOO');
    await tick();
    modem('\r\nERROR\r\n');
    await expect(bare).rejects.toMatchObject({ kind: 'error', code: null });
  });

  it('runs one command at a time, ignoring the echo of the one in progress', async () => {
    const { driver, written, modem } = line();
    const first = driver.run('ATE0');
    const second = driver.run('AT+CMEE=1');
    await tick();
    expect(written).toEqual(['ATE0\r']);
    modem('ATE0\r', '\r\nOK\r\n');
    await expect(first).resolves.toEqual([]);
    await tick();
    expect(written).toEqual(['ATE0\r', 'AT+CMEE=1\r']);
    modem('\r\nOK\r\n');
    await expect(second).resolves.toEqual([]);
  });

  it('gives up on a silent modem, cancels an open prompt with ESC, and says so', async () => {
    const { driver, written, timeouts, modem } = line(30);
    const sending = driver.runWithPrompt('AT+CMGS=18', Buffer.from('00'));
    await expect(sending).rejects.toMatchObject({ kind: 'timeout' });
    expect(written.at(-1)).toBe('\u001b');
    expect(timeouts).toEqual(['AT+CMGS=18']);
    const next = driver.run('AT');
    await tick();
    modem('\r\nOK\r\n');
    await expect(next).resolves.toEqual([]);
  });

  it('fails the command in progress and every later one once closed', async () => {
    const { driver } = line();
    const running = driver.run('AT+CMGL=4');
    const queued = driver.run('AT+CMGD=1');
    driver.close('port closed');
    await expect(running).rejects.toMatchObject({ kind: 'closed' });
    await expect(queued).rejects.toMatchObject({ kind: 'closed' });
    await expect(driver.run('AT')).rejects.toMatchObject({ kind: 'closed' });
  });
});
