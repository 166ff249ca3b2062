import { signal } from '@preact/signals';

/** The state of the live connection (app/live-updates.ts keeps it). */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** Shown by the connection indicator in the top bar. */
export const connection = signal<ConnectionState>('offline');
