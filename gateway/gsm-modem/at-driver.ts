import type { Logger } from '../../kernel/logger.ts';
import { AtError, parseErrorResult } from './at-errors.ts';
import { createAtLineParser } from './at-line-parser.ts';

/** An unsolicited result code; `+CMT:` and `+CDS:` (PDU mode) carry the PDU on the line after. */
export type Urc = { line: string; body?: string };

export type AtDriver = {
  /** Runs one command after the ones before it; resolves with its information lines (the final `OK` left out). */
  run(command: string, options?: { timeoutMs?: number }): Promise<string[]>;
  /** A command answered by the `> ` prompt (`AT+CMGS`): then `payload` and Ctrl-Z go out. */
  runWithPrompt(command: string, payload: Buffer, options?: { timeoutMs?: number }): Promise<string[]>;
  /** Bytes outside the queue (the ESC that cancels a prompt left open before we took the line). */
  writeRaw(bytes: Buffer): void;
  /** Feeds what the serial line read. */
  receive(chunk: Buffer): void;
  /** Fails the command in progress and every queued one; later ones fail at once. */
  close(reason: string): void;
};

type DriverOptions = {
  write(bytes: Buffer): void;
  onUrc(urc: Urc): void;
  /** A command got no answer in time: the modem's state is unknown, the line should be restarted. */
  onTimeout?(command: string): void;
  commandTimeoutMs: number;
  logger: Logger;
};

const CTRL_Z = 0x1a;
const ESC = 0x1b;
/** Result codes the modem sends on its own; they may come between any two lines of a response. */
const URC = /^(\+CMTI:|\+CMT:|\+CDSI:|\+CDS:|\+CBM:|\+CUSD:|RING$|\+CRING:|\+CLIP:|\^[A-Z]+:)/;
/** `+CMT:` always has a body line; `+CDS:` has one in PDU mode, where its only field is the length. */
const hasBody = (line: string) => line.startsWith('+CMT:') || /^\+CDS:\s*\d+\s*$/.test(line);

/** Commands as they may appear in logs and errors: never with the SIM PIN. */
export const redactCommand = (command: string) => command.replace(/^(AT\+CPIN=).*$/i, '$1****');

type Pending = { command: string; lines: string[]; payload?: Buffer; resolve(lines: string[]): void; reject(error: AtError): void; timer: NodeJS.Timeout };

/**
 * One modem's AT command line: commands go out one at a time, each waits for its final result
 * (`OK`, `ERROR`, `+CMS ERROR: n`, `+CME ERROR: n`) or its timeout, and unsolicited result codes
 * (+CMTI, +CDS, RING…) are told apart from responses and handed over as they come.
 */
export function createAtDriver(options: DriverOptions): AtDriver {
  let current: Pending | null = null;
  let tail: Promise<unknown> = Promise.resolve();
  let closedReason: string | null = null;
  let urcAwaitingBody: string | null = null;

  const parser = createAtLineParser(onLine, onPrompt);

  function finish(error: AtError | null) {
    const pending = current!;
    current = null;
    parser.expectPrompt = false;
    clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(pending.lines);
  }

  function onLine(line: string) {
    if (urcAwaitingBody !== null) {
      const head = urcAwaitingBody;
      urcAwaitingBody = null;
      options.onUrc({ line: head, body: line.trim() });
      return;
    }
    if (URC.test(line)) {
      if (hasBody(line)) urcAwaitingBody = line;
      else options.onUrc({ line });
      return;
    }
    if (!current) {
      options.logger.debug({ line }, 'modem line outside any command');
      return;
    }
    if (line.trim() === current.command) return; // echo, before ATE0 takes effect
    if (line === 'OK') return finish(null);
    const error = parseErrorResult(line);
    if (error) return finish(new AtError(error.kind, `${redactCommand(current.command)}: ${line}`, error.code));
    current.lines.push(line);
  }

  function onPrompt() {
    if (!current?.payload) return;
    const payload = current.payload;
    current.payload = undefined;
    options.write(Buffer.concat([payload, Buffer.from([CTRL_Z])]));
  }

  function execute(command: string, payload: Buffer | undefined, timeoutMs: number): Promise<string[]> {
    return new Promise((resolve, reject) => {
      if (closedReason !== null) return reject(new AtError('closed', closedReason));
      const pending: Pending = {
        command,
        lines: [],
        payload,
        resolve,
        reject,
        timer: setTimeout(() => {
          if (current !== pending) return;
          current = null;
          parser.expectPrompt = false;
          // Still at the prompt: ESC cancels the message instead of leaving the modem waiting for it.
          if (pending.payload) options.write(Buffer.from([ESC]));
          reject(new AtError('timeout', `no answer to ${redactCommand(command)} within ${timeoutMs} ms`));
          options.onTimeout?.(command);
        }, timeoutMs),
      };
      current = pending;
      parser.expectPrompt = payload !== undefined;
      options.logger.debug({ command: redactCommand(command) }, 'AT command');
      options.write(Buffer.from(`${command}\r`, 'latin1'));
    });
  }

  function enqueue(command: string, payload: Buffer | undefined, timeoutMs: number | undefined) {
    const result = tail.then(() => execute(command, payload, timeoutMs ?? options.commandTimeoutMs));
    tail = result.catch(() => {});
    return result;
  }

  return {
    run: (command, runOptions) => enqueue(command, undefined, runOptions?.timeoutMs),
    runWithPrompt: (command, payload, runOptions) => enqueue(command, payload, runOptions?.timeoutMs),
    writeRaw: (bytes) => options.write(bytes),
    receive: (chunk) => parser.push(chunk),
    close(reason) {
      if (closedReason !== null) return;
      closedReason = reason;
      if (current) {
        clearTimeout(current.timer);
        const pending = current;
        current = null;
        pending.reject(new AtError('closed', reason));
      }
    },
  };
}
