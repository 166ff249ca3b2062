import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { baileysKit, settled } from './testing/baileys-test-kit.ts';

// The clock is faked so the reconnect schedule is read exactly, without waiting for it.
const kit = baileysKit();
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(async () => {
  await kit.stopAll();
  vi.useRealTimers();
});

const lastDetail = (states: { state: string; detail?: string }[]) => states.at(-1)?.detail ?? '';

describe('Baileys reconnects', () => {
  it('after a dropped connection: waits 1 s, then 2 s while it keeps failing, and 1 s again once connected', async () => {
    const { whatsapp, deps } = await kit.channel({ waitOpen: false });
    await settled(() => expect(deps.states.at(-1)).toMatchObject({ state: 'open' }));
    whatsapp.behaviour.autoOpen = false; // the next connection will not get through

    whatsapp.current().close(428, 'Connection Terminated');
    await settled(() => expect(lastDetail(deps.states)).toContain('retrying in 1 s'));
    expect(whatsapp.sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(whatsapp.sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    await settled(() => expect(whatsapp.sockets).toHaveLength(3));

    whatsapp.current().close(408, 'Connection was lost');
    await settled(() => expect(lastDetail(deps.states)).toContain('retrying in 2 s'));
    await vi.advanceTimersByTimeAsync(1999);
    expect(whatsapp.sockets).toHaveLength(3);
    whatsapp.behaviour.autoOpen = true;
    await vi.advanceTimersByTimeAsync(1);
    await settled(() => expect(deps.states.at(-1)).toMatchObject({ state: 'open' }));

    whatsapp.current().close(428, 'Connection Terminated');
    await settled(() => expect(lastDetail(deps.states)).toContain('retrying in 1 s'));
  });

  it('stop ends the socket, detaches from it, and leaves no timer behind (even with a reconnect pending)', async () => {
    const { whatsapp, deps, channel } = await kit.channel({ waitOpen: false });
    await settled(() => expect(deps.states.at(-1)).toMatchObject({ state: 'open' }));
    whatsapp.current().close(428);
    await settled(() => expect(lastDetail(deps.states)).toContain('retrying'));
    expect(vi.getTimerCount()).toBe(1);
    await channel.session!.stop();
    expect(vi.getTimerCount()).toBe(0);

    await channel.session!.start();
    await settled(() => expect(deps.states.at(-1)).toMatchObject({ state: 'open' }));
    const socket = whatsapp.current();
    expect(socket.subscriptions).toBe(1);
    await channel.session!.stop();
    expect(socket.ended).toBe(true);
    expect(whatsapp.sockets.map((each) => each.subscriptions)).toEqual(whatsapp.sockets.map(() => 0));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a logout schedules nothing: the session stays down', async () => {
    const { whatsapp, deps } = await kit.channel({ waitOpen: false });
    await settled(() => expect(deps.states.at(-1)).toMatchObject({ state: 'open' }));
    const sockets = whatsapp.sockets.length;
    whatsapp.current().close(401, 'Intentional Logout');
    await settled(() => expect(deps.states.at(-1)).toMatchObject({ state: 'logged_out' }));
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(whatsapp.sockets).toHaveLength(sockets);
  });
});
