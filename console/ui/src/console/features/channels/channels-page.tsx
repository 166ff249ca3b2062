import { useEffect } from 'preact/hooks';
import type { ChannelView } from '../../../../../../contract/channels.ts';
import { ChannelDetail } from './channel-detail.tsx';
import { CreateChannel } from './channel-create.tsx';
import { SessionBadge } from './channel-session.tsx';
import { channelTypeLabel } from './channel-types.ts';
import { channelList, channelsError, channelsLoaded, channelsLoading, loadChannels } from './channels-state.ts';
import { channelsLink, route } from '../../shared/console-route.ts';

function ChannelRow({ channel, active }: { channel: ChannelView; active: boolean }) {
  return (
    <tr class={active ? 'active' : undefined} data-testid="channel-row" data-channel-id={channel.id} aria-current={active ? 'true' : undefined}>
      <th scope="row">
        <a href={channelsLink(channel.id)} data-testid="channel-link">
          {channel.name}
        </a>
      </th>
      <td class="wrap" data-testid="channel-type">
        {channelTypeLabel(channel.type)}
      </td>
      <td class="mono">{channel.address ?? <span class="muted">—</span>}</td>
      <td>
        <span class={channel.enabled ? 'badge badge-enabled' : 'badge badge-disabled'}>{channel.enabled ? 'Enabled' : 'Disabled'}</span>
      </td>
      <td class="pace">
        {channel.effectiveSendsPerSecond === null ? 'Unpaced' : `${channel.effectiveSendsPerSecond}/s`}
        {channel.effectiveSendsPerSecond !== null && channel.sendsPerSecond === null && <small>type default</small>}
      </td>
      <td>{channel.session ? <SessionBadge session={channel.session} /> : <span class="muted small">No session</span>}</td>
    </tr>
  );
}

function ChannelTable({ selected }: { selected: number | 'new' | null }) {
  const list = channelList.value;
  return (
    <section class="channel-list" aria-labelledby="channels-title">
      <header class="list-header">
        <h2 id="channels-title">Channels</h2>
        <a class="button-link primary" href={channelsLink('new')} data-testid="new-channel">
          New channel
        </a>
      </header>
      {channelsError.value && (
        <p class="inline-error" role="alert">
          {channelsError.value}
        </p>
      )}
      <div class="table-scroll">
        <table class="channels-table" data-testid="channel-list" data-loaded={channelsLoaded.value ? 'true' : 'false'}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Address</th>
              <th scope="col">Enabled</th>
              <th scope="col">Sends/s</th>
              <th scope="col">Session</th>
            </tr>
          </thead>
          <tbody>
            {list.map((channel) => (
              <ChannelRow key={channel.id} channel={channel} active={channel.id === selected} />
            ))}
          </tbody>
        </table>
      </div>
      {list.length === 0 && channelsLoaded.value && <p class="empty-list muted">No channels yet: create the first one.</p>}
      {!channelsLoaded.value && channelsLoading.value && <p class="empty-list muted">Loading…</p>}
    </section>
  );
}

function SidePanel({ selected }: { selected: number | 'new' | null }) {
  if (selected === 'new') return <CreateChannel />;
  if (selected === null) {
    return (
      <div class="channel-panel empty-state">
        <p class="muted">Pick a channel to see its state and settings, or create a new one.</p>
      </div>
    );
  }
  const channel = channelList.value.find((c) => c.id === selected);
  if (!channel) {
    return <div class="channel-panel empty-state">{channelsLoaded.value ? <p>This channel does not exist (any more).</p> : <p>Loading…</p>}</div>;
  }
  return <ChannelDetail key={channel.id} channel={channel} />;
}

/** The admins' Channels page: every provider connection, its live session, and its settings. */
export function ChannelsPage() {
  useEffect(() => {
    void loadChannels();
  }, []);
  const current = route.value;
  const selected = current.page === 'channels' ? current.channel : null;
  return (
    <main class={selected === null ? 'channels-page showing-list' : 'channels-page showing-panel'} data-testid="channels-page">
      <ChannelTable selected={selected} />
      <SidePanel selected={selected} />
    </main>
  );
}
