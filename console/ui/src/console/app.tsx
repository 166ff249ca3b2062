import { useEffect } from 'preact/hooks';
import { AgentChatDrawer } from './agent-chat.tsx';
import { resetAgentChat } from './agent-chat-state.ts';
import { ApiKeysPage } from './api-keys-page.tsx';
import { resetApiKeys } from './api-keys-state.ts';
import { resetCannedResponses } from './canned-responses-state.ts';
import { BotFlowsPage } from './bot-flows-page.tsx';
import { CampaignsPage } from './campaigns-page.tsx';
import { resetCampaigns } from './campaigns-state.ts';
import { resetBotFlows } from './bot-flows-state.ts';
import { ChannelsPage } from './channels-page.tsx';
import { resetChannels } from './channels-state.ts';
import { followRoute, isDialerPage, route, shownPage } from './console-route.ts';
import { ConversationPanel } from './conversation-panel.tsx';
import { closeView, followUrl, selectedId } from './conversation-state.ts';
import { DialerMonitorPage } from './dialer-monitor-page.tsx';
import { resetDialerMonitor } from './dialer-monitor-state.ts';
import { DialerTabs } from './dialer-tabs.tsx';
import { DialersPage } from './dialers-page.tsx';
import { resetDialers } from './dialers-state.ts';
import { DncrPage } from './dncr-page.tsx';
import { resetDncr } from './dncr-state.ts';
import { InboxPanel } from './inbox-panel.tsx';
import { resetInbox, startInbox } from './inbox-state.ts';
import { connectLive, disconnectLive } from './live-updates.ts';
import { LoginScreen } from './login-screen.tsx';
import { MembersPage } from './members-page.tsx';
import { resetMembers } from './members-state.ts';
import { MonitorPage } from './monitor-page.tsx';
import { resetMonitor } from './monitor-state.ts';
import { Toasts } from './offers-panel.tsx';
import { resetOffers } from './offers-state.ts';
import { loadMe, me, sessionChecked } from './session-state.ts';
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

/** The signed-in screen; mounting it starts the live connection, unmounting (logout) stops it and clears the URL. */
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
      resetInbox();
      resetChannels();
      resetBotFlows();
      resetCampaigns();
      resetMembers();
      resetMonitor();
      resetOffers();
      resetAgentChat();
      resetCannedResponses();
      resetDialers();
      resetDialerMonitor();
      resetDncr();
      resetApiKeys();
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
