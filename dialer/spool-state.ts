import { SPOOL_STATES } from '../db/schema/index.ts';
import { SPOOL_STATE_NAMES, type SpoolStateName } from '../contract/dialer.ts';

export type SpoolState = (typeof SPOOL_STATES)[keyof typeof SPOOL_STATES];

/** What can happen to a spool row; each leads to exactly one state. */
export type SpoolEvent = 'release' | 'sent' | 'blocked' | 'bad_number' | 'failed' | 'cancel';

const TARGET: Record<SpoolEvent, SpoolState> = {
  release: SPOOL_STATES.TO_PROCESS,
  sent: SPOOL_STATES.SENT,
  blocked: SPOOL_STATES.BLOCKED,
  bad_number: SPOOL_STATES.OTHER,
  failed: SPOOL_STATES.FAILED,
  cancel: SPOOL_STATES.CANCELLED,
};

/**
 * The spool's state machine: NONE (held) may only be released; TO PROCESS ends SENT, BLOCKED (DNCR),
 * OTHER (bad number), FAILED or CANCELLED; the final states never change again. Null: not allowed.
 */
export function transition(state: SpoolState, event: SpoolEvent): SpoolState | null {
  if (state === SPOOL_STATES.NONE) return event === 'release' || event === 'cancel' ? TARGET[event] : null;
  if (state === SPOOL_STATES.TO_PROCESS) return event === 'release' ? null : TARGET[event];
  return null;
}

/** The wire name of a state number. */
export function spoolStateName(state: number): SpoolStateName {
  const name = SPOOL_STATE_NAMES[state];
  if (!name) throw new Error(`unknown spool state ${state}`);
  return name;
}

/** The state number of a wire name. */
export function spoolStateOf(name: SpoolStateName): SpoolState {
  return SPOOL_STATE_NAMES.indexOf(name) as SpoolState;
}
