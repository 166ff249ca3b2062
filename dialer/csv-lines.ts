import { isUtf8 } from 'node:buffer';

const LF = 0x0a;
const CR = 0x0d;

/** The longest line an upload may have; a longer one is reported, never held in memory whole. */
export const MAX_LINE_BYTES = 1 << 20;

/** Why a line could not be read as text: not UTF-8, or longer than MAX_LINE_BYTES (handed over empty). */
export type LineFlaw = 'not_utf8' | 'too_long' | null;

/** Receives each line as a byte range [start, end) of `bytes`, without its line break; `line` is 1-based. */
export type LineHandler = (bytes: Buffer, start: number, end: number, line: number, flaw: LineFlaw) => void;

/**
 * Reads an uploaded file line by line while it streams in, holding one chunk and at most one line
 * split across chunks. Lines end at LF; a CR before it is dropped (CRLF files); a UTF-8 byte order
 * mark before the first line is skipped; a last line without LF is a line too. Lines are handed over
 * as bytes (no decoding: the callers scan bytes, which is what keeps a million-row file fast), UTF-8
 * checked once per chunk. `afterChunk` is awaited after each chunk's lines: the place to write
 * downstream and wait for it, which is what stops the source from running ahead (backpressure).
 */
export async function readLines(
  source: AsyncIterable<Buffer | string>,
  onLine: LineHandler,
  afterChunk?: (bytesRead: number) => Promise<void> | void,
): Promise<{ bytes: number; lines: number }> {
  let bytesRead = 0;
  let line = 0;
  let held: Buffer[] = [];
  let heldBytes = 0;
  let overflow = false;

  const emit = (bytes: Buffer, start: number, end: number, flaw: LineFlaw) => {
    line++;
    if (end > start && bytes[end - 1] === CR) end--;
    if (line === 1 && end - start >= 3 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) start += 3;
    onLine(bytes, start, end, line, flaw);
  };
  const hold = (part: Buffer) => {
    if (!part.length || overflow) return;
    heldBytes += part.length;
    if (heldBytes > MAX_LINE_BYTES) {
      overflow = true;
      held = [];
    } else held.push(part);
  };
  const emitHeld = (tail: Buffer) => {
    if (overflow) emit(Buffer.alloc(0), 0, 0, 'too_long');
    else {
      const joined = held.length ? Buffer.concat([...held, tail]) : tail;
      emit(joined, 0, joined.length, isUtf8(joined) ? null : 'not_utf8');
    }
    held = [];
    heldBytes = 0;
    overflow = false;
  };

  for await (const piece of source) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
    bytesRead += chunk.length;
    const first = chunk.indexOf(LF);
    if (first === -1) {
      hold(chunk);
    } else {
      let from = 0;
      if (heldBytes || overflow) {
        hold(chunk.subarray(0, first));
        emitHeld(Buffer.alloc(0));
        from = first + 1;
      }
      const last = chunk.lastIndexOf(LF);
      if (last >= from) {
        // One UTF-8 check for every whole line of the chunk; line by line only when it fails.
        const valid = isUtf8(chunk.subarray(from, last + 1));
        for (let start = from; start <= last; ) {
          const end = chunk.indexOf(LF, start);
          emit(chunk, start, end, valid || isUtf8(chunk.subarray(start, end)) ? null : 'not_utf8');
          start = end + 1;
        }
      }
      hold(chunk.subarray(last + 1));
    }
    if (afterChunk) await afterChunk(bytesRead);
  }
  if (heldBytes || overflow) emitHeld(Buffer.alloc(0));
  return { bytes: bytesRead, lines: line };
}
