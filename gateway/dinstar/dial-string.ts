/** Ports a Dinstar API accepts (0-based, at most 32 per gateway). */
const MAX_PORT = 31;

/**
 * The ports of a dial string: `0-3` (a range), `2` (one port) or `0,2,5` (a list), mixable as
 * `0-3,6`; null when it is not one. Order is kept and repeats dropped, so rotation follows the text.
 */
export function parseDialString(dialString: string): number[] | null {
  const ports: number[] = [];
  for (const part of dialString.split(',').map((item) => item.trim())) {
    const match = /^(\d{1,2})(?:\s*-\s*(\d{1,2}))?$/.exec(part);
    if (!match) return null;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from > MAX_PORT || to > MAX_PORT || to < from) return null;
    for (let port = from; port <= to; port++) if (!ports.includes(port)) ports.push(port);
  }
  return ports.length > 0 ? ports : null;
}

/**
 * Where each channel's rotation stands, per dial string, for this process: module state so it
 * survives the registry rebuilding an adapter after a settings change. Across nodes each process
 * rotates on its own, which spreads sends just as well (the seed asks for spread, not strict order).
 */
const positions = new Map<string, number>();

/** The next port of a channel's dial string: `0-3` gives 0,1,2,3,0,1… over successive sends. */
export function nextPort(channelId: number, dialString: string, ports: readonly number[]): number {
  const key = `${channelId}\0${dialString}`;
  const position = positions.get(key) ?? 0;
  positions.set(key, (position + 1) % ports.length);
  return ports[position % ports.length]!;
}
