import { describe, expect, it } from 'vitest';
import { transitionPresence } from './agent-presence.ts';

describe('agent presence state machine', () => {
  it('moves between offline, available and named breaks', () => {
    expect(transitionPresence('offline', { state: 'available' })).toEqual({ state: 'available', breakName: null });
    expect(transitionPresence('available', { state: 'break', breakName: 'Lunch' })).toEqual({ state: 'break', breakName: 'Lunch' });
    expect(transitionPresence('break', { state: 'break', breakName: 'Training' })).toEqual({ state: 'break', breakName: 'Training' });
    expect(transitionPresence('break', { state: 'offline' })).toEqual({ state: 'offline', breakName: null });
  });

  it('refuses a break without a name, a name without a break, and no-op changes', () => {
    expect(() => transitionPresence('available', { state: 'break' })).toThrow('A break needs its name');
    expect(() => transitionPresence('offline', { state: 'available', breakName: 'Lunch' })).toThrow('Only a break has a name');
    expect(() => transitionPresence('available', { state: 'available' })).toThrow('Already available');
    expect(() => transitionPresence('offline', { state: 'offline' })).toThrow('Already offline');
  });
});
