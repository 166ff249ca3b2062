import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/harness/test-platform.ts';
import { startFakeSmsc } from './testing/fake-smsc.ts';
import { SMPP_CREDENTIALS } from './testing/smpp-fixture.ts';
import { closeOpened, openSmpp } from './testing/smpp-test-session.ts';
import { TEST_TLS } from './test-tls-certificate.ts';

afterEach(closeOpened);

describe('SMPP session', () => {
  it('binds as an SMPP 3.4 transceiver and reports itself open', async () => {
    const { smsc, deps } = await openSmpp();
    expect(smsc.binds).toEqual([{ command: 'bind_transceiver', systemId: 'omnichat', interfaceVersion: 0x34, accepted: true }]);
    expect(deps.states.at(-1)).toEqual({ state: 'open', detail: expect.stringContaining('transceiver bound to 127.0.0.1') });
  });

  it('reports a bind refused for a wrong password as an error, and does not hammer the SMSC', async () => {
    const { smsc, deps } = await openSmpp({ secrets: { password: 'wrong' }, expectOpen: false });
    await eventually(() => expect(deps.states.at(-1)).toEqual({ state: 'error', detail: expect.stringContaining('ESME_RINVPASWD') }));
    expect(deps.states.some((state) => state.state === 'open')).toBe(false);
    // The slow retry (a minute here) has not come round: one attempt only.
    await eventually(() => expect(smsc.connectionCount).toBe(0));
    expect(smsc.binds).toHaveLength(1);
  });

  it('reconnects and binds again after the SMSC drops the connection, and sends again', async () => {
    const { smsc, deps, send } = await openSmpp();
    smsc.dropConnections();
    await eventually(() => expect(smsc.binds).toHaveLength(2));
    await eventually(() => expect(deps.states.at(-1)?.state).toBe('open'));
    expect(deps.states.map((state) => state.state)).toEqual(['connecting', 'open', 'connecting', 'open']);
    expect(await send('after the reconnect')).toMatchObject({ ok: true });
  });

  it("answers the SMSC's unbind, then binds again", async () => {
    const { smsc, deps } = await openSmpp();
    expect(await smsc.unbindClient()).toBe(0);
    await eventually(() => expect(smsc.binds).toHaveLength(2));
    await eventually(() => expect(deps.states.at(-1)?.state).toBe('open'));
    expect(deps.states.at(-2)).toEqual({ state: 'connecting', detail: expect.stringContaining('the SMSC unbound') });
  });

  it("answers the SMSC's enquire_link", async () => {
    const { smsc } = await openSmpp();
    expect(await smsc.enquireLink()).toBe(0);
  });

  it('sends its own enquire_link and treats an SMSC that stops answering as gone', async () => {
    const { smsc } = await openSmpp({ timing: { enquireLinkMs: 100 }, settings: { responseTimeoutSeconds: 2 } });
    smsc.ignoreEnquireLinks();
    await eventually(() => expect(smsc.binds).toHaveLength(2), 10_000);
    smsc.ignoreEnquireLinks(false);
  });

  it('unbinds on stop and leaves no connection open', async () => {
    const { smsc, channel, deps } = await openSmpp();
    await channel.session!.stop();
    expect(smsc.state.unbinds).toBe(1);
    await eventually(() => expect(smsc.connectionCount).toBe(0));
    expect(await channel.send({ messageId: 1, to: '+59899246810', text: 'too late', media: [] })).toMatchObject({ ok: false, retryable: true });
    expect(deps.states.at(-1)?.state).toBe('open'); // nothing reported after stop: the lease holder's state is released by the platform
  });

  it('can bind a transmitter and a receiver apart: sends go out on one, messages come in on the other', async () => {
    const { smsc, deps, send } = await openSmpp({ settings: { bindMode: 'transmitter_receiver' } });
    expect(smsc.binds.map((bind) => bind.command).sort()).toEqual(['bind_receiver', 'bind_transmitter']);
    expect(await send('over the transmitter')).toMatchObject({ ok: true });
    expect(await smsc.deliverText('59899246810', 'over the receiver')).toBe(0);
    expect(deps.received.flatMap((content) => content.messages).map((message) => message.text)).toEqual(['over the receiver']);
  });
});

describe('SMPP over TLS', () => {
  it('binds over TLS, and refuses a certificate it cannot verify unless told to trust it', async () => {
    const smsc = await startFakeSmsc(SMPP_CREDENTIALS, { tls: TEST_TLS });
    try {
      const trusting = await openSmpp({ smsc, settings: { tls: true, tlsVerifyCertificate: false } });
      expect(smsc.binds).toHaveLength(1);
      await trusting.channel.session!.stop();
      const verifying = await openSmpp({ smsc, settings: { tls: true }, expectOpen: false });
      await eventually(() => expect(verifying.deps.states.at(-1)).toMatchObject({ detail: expect.stringMatching(/self[- ]signed certificate/) }));
      expect(smsc.binds).toHaveLength(1);
      await verifying.channel.session!.stop();
    } finally {
      await smsc.close();
    }
  });
});
