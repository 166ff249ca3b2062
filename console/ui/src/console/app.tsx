import { useEffect } from 'preact/hooks';
import { ConversationPanel } from './conversation-panel.tsx';
import { closeView, followUrl, selectedId } from './conversation-state.ts';
import { InboxPanel } from './inbox-panel.tsx';
import { resetInbox, startInbox } from './inbox-state.ts';
import { connectLive, disconnectLive } from './live-updates.ts';
import { LoginScreen } from './login-screen.tsx';
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

/** The signed-in screen; mounting it starts the live connection, unmounting (logout) stops it and clears the URL. */
function Workspace({ userId }: { userId: number }) {
  useEffect(() => {
    void startInbox();
    // Reopen the conversation named in the URL, and follow Back/Forward between conversations.
    followUrl();
    window.addEventListener('hashchange', followUrl);
    connectLive();
    return () => {
      window.removeEventListener('hashchange', followUrl);
      disconnectLive();
      closeView();
      resetInbox();
    };
  }, [userId]);

  // On a narrow window only one pane shows: the list, or the open conversation.
  const paneClass = selectedId.value === null ? 'workspace showing-list' : 'workspace showing-conversation';
  return (
    <div class="app">
      <TopBar />
      <main class={paneClass}>
        <InboxPanel />
        <ConversationPanel />
      </main>
    </div>
  );
}
