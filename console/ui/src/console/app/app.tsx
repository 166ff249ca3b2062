import { useEffect } from 'preact/hooks';
import { AgentChatDrawer } from '../features/agent-chat/agent-chat.tsx';
import { ApiKeysPage } from '../features/api-keys/api-keys-page.tsx';
import { BotFlowsPage } from '../features/bot-flows/bot-flows-page.tsx';
import { CampaignsPage } from '../features/campaigns/campaigns-page.tsx';
import { ChannelsPage } from '../features/channels/channels-page.tsx';
import { DialerMonitorPage } from '../features/dialers/dialer-monitor-page.tsx';
import { DialerTabs } from '../features/dialers/dialer-tabs.tsx';
import { DialersPage } from '../features/dialers/dialers-page.tsx';
import { DncrPage } from '../features/dialers/dncr-page.tsx';
import { ConversationPanel } from '../features/inbox/conversation-panel.tsx';
import { closeView, followUrl, selectedId } from '../features/inbox/conversation-state.ts';
import { InboxPanel } from '../features/inbox/inbox-panel.tsx';
import { startInbox } from '../features/inbox/inbox-state.ts';
import { Toasts } from '../features/inbox/offers-panel.tsx';
import { LoginScreen } from '../features/login/login-screen.tsx';
import { MembersPage } from '../features/members/members-page.tsx';
import { MonitorPage } from '../features/monitor/monitor-page.tsx';
import { followRoute, isDialerPage, route, shownPage } from '../shared/console-route.ts';
import { resetAll } from '../shared/reset.ts';
import { loadMe, me, sessionChecked } from '../shared/session-state.ts';
import { connectLive, disconnectLive } from './live-updates.ts';
import { TopBar } from './top-bar.tsx';

/** Root of the agent console: login until there is a session, then the inbox and conversation. */
export function App() {
  useEffect(() => {
    void loadMe();
  }, []);

  if (!sessionChecked.value) return <div class="splash">Loading…</div>;
  if (!me.value) return <LoginScreen />;
  return <Workspace userId={me.value.id} />;
}

/** Follows the URL: the Channels and Bot flows pages have their own hashes; every other hash is the inbox's to read. */
function followHash(): void {
  followRoute();
  if (route.value.page === 'inbox') followUrl();
}

/**
 * The signed-in screen; mounting it starts the live connection, unmounting (logout) stops it, clears the URL
 * and forgets every feature's state (each registers its reset with shared/reset.ts).
 */
function Workspace({ userId }: { userId: number }) {
  useEffect(() => {
    void startInbox();
    // Reopen the page (or conversation) named in the URL, and follow Back/Forward between them.
    followHash();
    window.addEventListener('hashchange', followHash);
    connectLive();
    return () => {
      window.removeEventListener('hashchange', followHash);
      disconnectLive();
      closeView();
      resetAll();
    };
  }, [userId]);

  // Only admins have the Channels page, only supervisors and admins the Bot flows page; a link to a page
  // someone does not have shows them their inbox.
  const page = shownPage(route.value, me.value?.role ?? 'agent');
  // On a narrow window only one pane shows: the list, or the open conversation.
  const paneClass = selectedId.value === null ? 'workspace showing-list' : 'workspace showing-conversation';
  return (
    <div class="app">
      <TopBar />
      {page === 'channels' && <ChannelsPage />}
      {page === 'bot-flows' && <BotFlowsPage />}
      {page === 'campaigns' && <CampaignsPage />}
      {page === 'members' && <MembersPage />}
      {page === 'monitor' && <MonitorPage />}
      {isDialerPage(page) && <DialerTabs page={page} role={me.value?.role ?? 'agent'} />}
      {page === 'dialers' && <DialersPage />}
      {page === 'dialer-monitor' && <DialerMonitorPage />}
      {page === 'dncr' && <DncrPage />}
      {page === 'api-keys' && <ApiKeysPage />}
      {page === 'inbox' && (
        <main class={paneClass}>
          <InboxPanel />
          <ConversationPanel />
        </main>
      )}
      <AgentChatDrawer />
      <Toasts />
    </div>
  );
}
