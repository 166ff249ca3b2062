import { describe, expect, it } from 'vitest';
import type { MessageStatus } from '../db/schema/index.ts';
import { nextMessageStatus } from './message-status.ts';

const CASES: [MessageStatus, MessageStatus, MessageStatus | null][] = [
  ['queued', 'sent', 'sent'],
  ['sent', 'delivered', 'delivered'],
  ['delivered', 'read', 'read'],
  ['sent', 'read', 'read'], // WhatsApp may skip `delivered`
  ['read', 'delivered', null], // late report never moves backwards
  ['delivered', 'sent', null],
  ['sent', 'sent', null], // duplicate report
  ['queued', 'failed', 'failed'],
  ['sent', 'failed', 'failed'],
  ['delivered', 'failed', null],
  ['failed', 'delivered', null],
  ['received', 'read', null], // inbound messages have no delivery status
];

describe('message delivery status', () => {
  it.each(CASES)('%s + report %s -> %s', (current, reported, expected) => {
    expect(nextMessageStatus(current, reported)).toBe(expected);
  });
});
