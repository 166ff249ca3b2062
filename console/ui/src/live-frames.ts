import type { Listeners, LiveFrame } from '../../../contract/events.ts';

/** Hands each event of a `live` frame to its handler, in the order published. */
export function dispatchFrame<Events>(frame: LiveFrame<Events>, handlers: Listeners<Events>): void {
  for (const { event, payload } of frame.events) (handlers[event] as (payload: unknown) => void)(payload);
}

/** How a frame stands against the ones before it: the next of its rooms, after one missed, or older than one applied. */
export type FrameOrder = 'next' | 'missed' | 'stale';

/**
 * Follows the frame numbers of one connection, per publisher and room. A room's first frame from a
 * publisher is where it starts; after it, a number skipped means frames were missed. `reset` on each
 * new connection: what came before it is read again anyway.
 */
export function createFrameOrder() {
  const last = new Map<string, number>();
  return {
    read<Events>(frame: LiveFrame<Events>): FrameOrder {
      let missed = false;
      // A frame without numbers carries only figures the node computes itself: nothing to follow.
      let fresh = Object.keys(frame.seqs).length === 0;
      for (const [room, seq] of Object.entries(frame.seqs)) {
        const key = `${frame.publisher} ${room}`;
        const previous = last.get(key);
        if (previous !== undefined && seq !== previous + 1) missed = true;
        if (previous === undefined || seq > previous) {
          last.set(key, seq);
          fresh = true;
        }
      }
      return fresh ? (missed ? 'missed' : 'next') : 'stale';
    },
    reset(): void {
      last.clear();
    },
  };
}
