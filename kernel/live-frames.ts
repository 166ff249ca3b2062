import type { Namespace } from 'socket.io';
import type { LiveFrame } from '../contract/events.ts';

/**
 * One window's live events of one namespace from one process, as they travel between nodes: every
 * event once, and for each room its frame number and the events (positions in `events`) it gets.
 */
export type Flush = {
  rooms: { room: string; seq?: number; events: number[] }[];
  events: { event: string; payload: unknown }[];
};

/** What a process NOTIFYs: its flushes not sent yet, oldest first; its first message says it started. */
export type FramesMessage = { publisher: string; started?: true; flushes: Flush[] };

/** The server-side event (`serverSideEmit`) that carries a `FramesMessage` to every HTTP node. */
export const FRAMES_EVENT = 'live.frames';

type Published = { rooms: readonly string[]; event: string; payload: unknown };

/**
 * Turns a window's events into the flush this node delivers to its own sockets (`local`) and the one
 * every other node gets (`cluster`: without the events each node computes for itself). Each room with
 * a shared event, and each room of `unsent` (its last frame never reached the other nodes: an empty
 * frame tells them), takes its next number from `seqs`, the same in both.
 */
export function buildFlush(
  events: readonly Published[],
  seqs: Map<string, number>,
  unsent: ReadonlySet<string>,
  nodeLocal: (event: string) => boolean,
): { local: Flush; cluster: Flush | null } {
  const local = flushBuilder();
  const cluster = flushBuilder();
  for (const { rooms, event, payload } of events) {
    const shared = !nodeLocal(event);
    const localPosition = local.flush.events.push({ event, payload }) - 1;
    const clusterPosition = shared ? cluster.flush.events.push({ event, payload }) - 1 : -1;
    for (const room of new Set(rooms)) {
      local.room(room).events.push(localPosition);
      if (shared) cluster.room(room).events.push(clusterPosition);
    }
  }
  for (const room of unsent) {
    local.room(room);
    cluster.room(room);
  }
  for (const entry of cluster.flush.rooms) {
    const seq = (seqs.get(entry.room) ?? 0) + 1;
    seqs.set(entry.room, seq);
    entry.seq = seq;
    local.room(entry.room).seq = seq;
  }
  return { local: local.flush, cluster: cluster.flush.rooms.length ? cluster.flush : null };
}

function flushBuilder() {
  const flush: Flush = { rooms: [], events: [] };
  const byRoom = new Map<string, Flush['rooms'][number]>();
  const room = (name: string) => {
    let entry = byRoom.get(name);
    if (!entry) {
      entry = { room: name, events: [] };
      byRoom.set(name, entry);
      flush.rooms.push(entry);
    }
    return entry;
  };
  return { flush, room };
}

/**
 * Emits a flush to this node's sockets of `namespace`: each socket gets one `live` frame with the
 * events of all its rooms in the flush, in the order published and each once (a supervisor in a
 * campaign's room and in their own gets an event addressed to both once), numbered in each of those
 * rooms. Sockets in the same rooms share one frame, encoded once by socket.io.
 */
export function deliverFlush(namespace: Namespace, publisher: string, flush: Flush): void {
  const members = namespace.adapter.rooms;
  // Each socket in any room of the flush, with the positions of the rooms it is in.
  const roomsOfSocket = new Map<string, number[]>();
  flush.rooms.forEach(({ room }, position) => {
    for (const id of members.get(room) ?? []) {
      const positions = roomsOfSocket.get(id);
      if (positions) positions.push(position);
      else roomsOfSocket.set(id, [position]);
    }
  });
  const socketsByRooms = new Map<string, string[]>();
  for (const [id, positions] of roomsOfSocket) {
    const key = positions.join();
    const ids = socketsByRooms.get(key);
    if (ids) ids.push(id);
    else socketsByRooms.set(key, [id]);
  }
  for (const [key, ids] of socketsByRooms) {
    const entries = key.split(',').map((position) => flush.rooms[Number(position)]!);
    const seqs: Record<string, number> = {};
    for (const entry of entries) if (entry.seq !== undefined) seqs[entry.room] = entry.seq;
    const positions = entries.length === 1 ? entries[0]!.events : [...new Set(entries.flatMap((entry) => entry.events))].sort((a, b) => a - b);
    const frame = { publisher, seqs, events: positions.map((position) => flush.events[position]!) } as LiveFrame<Record<string, unknown>>;
    namespace.local.to(ids).emit('live', frame);
  }
}
