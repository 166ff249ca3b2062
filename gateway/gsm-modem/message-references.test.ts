import { describe, expect, it } from 'vitest';
import { recordingChannelDeps } from '../../test/harness/channel-deps.ts';
import { createMessageReferences } from './message-references.ts';

describe('message references', () => {
  it('keeps provider ids unique when a reference comes round again, and finds the newest use from a fresh start', async () => {
    const store = recordingChannelDeps().authState(7);
    const references = createMessageReferences(store);
    expect(await references.record('dongle0', [17])).toBe('dongle0:17');
    expect(await references.record('dongle1', [17])).toBe('dongle1:17');
    // 256 sends later (or after the modem restarted its count) dongle0 hands out 17 again.
    expect(await references.record('dongle0', [16, 17])).toBe('dongle0:17.2');
    const afterRestart = createMessageReferences(store);
    expect(await afterRestart.lookup('dongle0', 17)).toEqual({ id: 'dongle0:17.2', uses: 2, last: true });
    expect(await afterRestart.lookup('dongle0', 16)).toEqual({ id: 'dongle0:17.2', uses: 1, last: false });
    expect(await afterRestart.lookup('dongle0', 99)).toBeNull();
    expect(await afterRestart.record('dongle0', [17])).toBe('dongle0:17.3');
  });
});
