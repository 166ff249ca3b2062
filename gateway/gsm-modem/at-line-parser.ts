export type AtLineParser = {
  /** Feeds bytes as they come off the serial line (any chunking). */
  push(chunk: Buffer): void;
  /** Set while `AT+CMGS` waits for its prompt: only then is a lone `>` taken for one. */
  expectPrompt: boolean;
};

/**
 * Splits the modem's output into lines (CR, LF or both end one; empty lines are dropped) and spots
 * the `> ` prompt of `AT+CMGS`, which no line ending follows, so a readline parser never sees it.
 * Bytes are read as latin1: text-mode SMS in the modem's "GSM" character set pass through unchanged.
 */
export function createAtLineParser(onLine: (line: string) => void, onPrompt: () => void): AtLineParser {
  let pending = '';
  let swallowSpace = false;
  const parser: AtLineParser = {
    expectPrompt: false,
    push(chunk) {
      pending += chunk.toString('latin1');
      // The prompt may come as `>` and ` ` in two reads: the space left over is not the next line's start.
      if (swallowSpace && pending.length > 0) {
        if (pending.startsWith(' ')) pending = pending.slice(1);
        swallowSpace = false;
      }
      for (let end = pending.search(/[\r\n]/); end >= 0; end = pending.search(/[\r\n]/)) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 1);
        if (line.trim() !== '') onLine(line.trimEnd());
      }
      if (parser.expectPrompt && /^>\s?$/.test(pending)) {
        swallowSpace = pending === '>';
        pending = '';
        parser.expectPrompt = false;
        onPrompt();
      }
    },
  };
  return parser;
}
