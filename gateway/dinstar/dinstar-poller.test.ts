import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { recordingChannelDeps, type RecordingDeps } from '../../test/harness/channel-deps.ts';
import { eventually } from '../../test/harness/test-platform.ts';
import type { Channel, ChannelRow } from '../channel.ts';
import { createDinstarChannel } from './dinstar-channel.ts';
import { dinstarRow, GATEWAY_PASSWORD } from './testing/dinstar-fixture.ts';
import { fakeDinstarApi, type FakeDinstarApi } from './testing/fake-dinstar-api.ts';

const GATEWAY = 'https://dinstar-unit.test';
let api: FakeDinstarApi;
beforeAll(() => {
  api = fakeDinstarApi({ baseUrl: GATEWAY, password: GATEWAY_PASSWORD, sn: 'gw-1' });
});
afterAll(() => api.close());

/** Sessions a test started, stopped after it even when it fails (no timers left behind). */
const started: Channel[] = [];
async function start(row: ChannelRow, deps: RecordingDeps) {
  const channel = createDinstarChannel(row, deps);
  started.push(channel);
  await channel.session!.start();
  return channel;
}
afterEach(async () => {
  for (const channel of started.splice(0)) await channel.session!.stop();
  Object.assign(api.state, { unreachable: false, pageSize: 50 });
  api.account.password = GATEWAY_PASSWORD;
  api.clearInbox();
});

const inbound = (deps: RecordingDeps) => deps.received.flatMap((content) => content.messages);
const statuses = (deps: RecordingDeps) => deps.received.flatMap((content) => content.statuses);
const polls = () => api.state.requests.filter((request) => request === 'GET query_incoming_sms').length;

describe('Dinstar session: incoming SMS', () => {
  it('stores polled SMS, then moves its cursor: later polls store nothing twice, and a new adapter resumes after it', async () => {
    const row = dinstarRow({ portNumbers: { '2': '+59894000002' } });
    const deps = recordingChannelDeps();
    api.receiveSms({ number: '099123456', text: 'Hola', port: 2 });
    api.receiveSms({ number: '+5491155550000', text: '¿Tienen stock? 👍', port: 3 });
    const first = await start(row, deps);
    await eventually(() => expect(inbound(deps)).toHaveLength(2));
    expect(inbound(deps)).toMatchObject([
      { channelId: row.id, from: '+59899123456', to: '+59894000002', text: 'Hola', providerMessageId: expect.stringMatching(/^gw-1:1:\d{14}$/) },
      { from: '+5491155550000', to: 'port 3', text: '¿Tienen stock? 👍', providerMessageId: expect.stringMatching(/^gw-1:2:/) },
    ]);
    expect(deps.authValues.get('dinstar\0incoming-cursor')).toEqual({ sn: 'gw-1', id: 2 });
    const after = polls();
    await eventually(() => expect(polls()).toBeGreaterThan(after + 2));
    expect(inbound(deps)).toHaveLength(2);

    await first.session!.stop();
    api.receiveSms({ number: '099123456', text: 'Sigo acá', port: 2 });
    // The stored cursor (shared by every node through the auth state) is where the next holder starts.
    await start({ ...row, updatedAt: new Date() }, deps);
    await eventually(() => expect(inbound(deps)).toHaveLength(3));
    expect(inbound(deps)[2]).toMatchObject({ text: 'Sigo acá', providerMessageId: expect.stringMatching(/^gw-1:3:/) });
  });

  it('reads an inbox larger than one answer page by page', async () => {
    const deps = recordingChannelDeps();
    api.state.pageSize = 2;
    for (let i = 1; i <= 5; i++) api.receiveSms({ number: '099123456', text: `sms ${i}` });
    await start(dinstarRow(), deps);
    await eventually(() => expect(inbound(deps).map((message) => message.text)).toEqual(['sms 1', 'sms 2', 'sms 3', 'sms 4', 'sms 5']));
  });

  it('keeps its cursor when storing fails, so the SMS comes again and nothing is lost', async () => {
    let refusals = 1;
    const deps: RecordingDeps = recordingChannelDeps({
      receive: async (_channelId, content) => {
        if (refusals-- > 0) throw new Error('database unavailable');
        deps.received.push(content);
        return { stored: content.messages.length, duplicates: 0 };
      },
    });
    api.receiveSms({ number: '099123456', text: 'no se pierde' });
    await start(dinstarRow(), deps);
    await eventually(() => expect(inbound(deps).map((message) => message.text)).toEqual(['no se pierde']));
    expect(deps.states.some((state) => state.state === 'error' && state.detail.includes('database unavailable'))).toBe(true);
  });

  it('reads the inbox from the start again when the gateway numbering restarts', async () => {
    const deps = recordingChannelDeps();
    api.receiveSms({ number: '099123456', text: 'antes', at: new Date(Date.now() - 60_000) });
    api.receiveSms({ number: '099123456', text: 'antes 2', at: new Date(Date.now() - 60_000) });
    await start(dinstarRow({ pollIntervalSeconds: 0.1 }), deps);
    await eventually(() => expect(inbound(deps)).toHaveLength(2));
    api.clearInbox();
    api.receiveSms({ number: '099123456', text: 'después' }); // id 1 again, at another time
    await eventually(() => expect(inbound(deps).map((message) => message.text)).toEqual(['antes', 'antes 2', 'después']));
  });
});

describe('Dinstar session: results and state', () => {
  it('turns sending results and network status reports into delivered and failed, each once', async () => {
    const deps = recordingChannelDeps();
    const channel = await start(dinstarRow(), deps);
    const send = (messageId: number) => channel.send({ messageId, to: '+59899123456', text: 'Hola', media: [] });
    for (const id of [701, 702, 703, 704]) expect(await send(id)).toEqual({ ok: true, providerMessageId: String(id) });
    api.setResult(701, 'DELIVERED');
    api.setResult(702, 'FAILED');
    api.setResult(703, 'SENT_OK');
    api.statusReport(703, 65); // the network gave up: incompatible destination
    api.setResult(704, 'SENT_OK');
    api.statusReport(704, 0);
    await eventually(() =>
      expect(statuses(deps).toSorted((a, b) => a.providerMessageId.localeCompare(b.providerMessageId))).toMatchObject([
        { providerMessageId: '701', status: 'delivered' },
        { providerMessageId: '702', status: 'failed', errorCode: 'send_failed', errorMessage: expect.stringContaining('port') },
        { providerMessageId: '703', status: 'failed', errorCode: 'tp_status_65', errorMessage: expect.stringContaining('incompatible destination') },
        { providerMessageId: '704', status: 'delivered' },
      ]),
    );
    const after = api.state.requests.filter((request) => request === 'POST query_sms_result').length;
    await eventually(() => expect(api.state.requests.filter((request) => request === 'POST query_sms_result').length).toBeGreaterThan(after + 2));
    expect(statuses(deps)).toHaveLength(4);
  });

  it('reports open while the gateway answers, and the reason while it does not', async () => {
    const deps = recordingChannelDeps();
    api.state.unreachable = true;
    await start(dinstarRow(), deps);
    await eventually(() => expect(deps.states.at(-1)).toMatchObject({ state: 'error', detail: expect.stringContaining('did not answer') }));
    api.state.unreachable = false;
    api.account.password = 'changed-on-the-gateway';
    await eventually(() => expect(deps.states.at(-1)).toMatchObject({ state: 'error', detail: expect.stringContaining('HTTP 401') }), 20_000);
    api.account.password = GATEWAY_PASSWORD;
    await eventually(() => expect(deps.states.at(-1)).toMatchObject({ state: 'open' }), 20_000);
  });

  it('stops cleanly: no poll after stop resolves', async () => {
    const deps = recordingChannelDeps();
    const channel = await start(dinstarRow(), deps);
    await eventually(() => expect(deps.states.at(-1)).toMatchObject({ state: 'open' }));
    await channel.session!.stop();
    const requests = api.state.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 500)); // five poll intervals
    expect(api.state.requests.length).toBe(requests);
  });
});
