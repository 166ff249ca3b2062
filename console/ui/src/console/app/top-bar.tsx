import type { Me } from '../../../../../contract/common.ts';
import { ChatButton } from '../features/agent-chat/agent-chat.tsx';
import { isDialerPage, route, shownPage } from '../shared/console-route.ts';
import { connection, type ConnectionState } from '../shared/connection.ts';
import { changePresence, logout, me, presenceError, presenceOption } from '../shared/session-state.ts';

const connectionLabels: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

function PresenceSelect({ user }: { user: Me }) {
  const current = presenceOption(user.presence);
  const breaks = [...user.breaks];
  // A break that no longer exists in the list (renamed by an admin) must still show as selected.
  const currentBreak = user.presence.state === 'break' ? user.presence.breakName : null;
  if (currentBreak !== null && !breaks.includes(currentBreak)) breaks.push(currentBreak);

  return (
    <label class={`presence presence-${user.presence.state}`} title="My status">
      <span class="dot" aria-hidden="true" />
      <select data-testid="presence" aria-label="Presence" value={current} onChange={(e) => void changePresence(e.currentTarget.value)}>
        <option value="available">Available</option>
        {breaks.map((name) => (
          <option key={name} value={`break:${name}`}>
            Break: {name}
          </option>
        ))}
        <option value="offline">Offline</option>
      </select>
    </label>
  );
}

/** Supervisors and admins move between the inbox and their pages (Channels is the admins' alone); agents only have the inbox. */
function PageLinks({ user }: { user: Me }) {
  if (user.role === 'agent') return null;
  const page = shownPage(route.value, user.role);
  const current = (which: typeof page) => (page === which ? 'page' : undefined);
  return (
    <nav class="page-links" aria-label="Pages">
      <a href="#/" data-testid="nav-inbox" aria-current={current('inbox')}>
        Inbox
      </a>
      <a href="#/monitor" data-testid="nav-monitor" aria-current={current('monitor')}>
        Monitor
      </a>
      <a href="#/campaigns" data-testid="nav-campaigns" aria-current={current('campaigns')}>
        Campaigns
      </a>
      <a href="#/members" data-testid="nav-members" aria-current={current('members')}>
        Members
      </a>
      {user.role === 'admin' && (
        <a href="#/channels" data-testid="nav-channels" aria-current={current('channels')}>
          Channels
        </a>
      )}
      <a href="#/bot-flows" data-testid="nav-bot-flows" aria-current={current('bot-flows')}>
        Bot flows
      </a>
      {/* One link for the bulk pages (the top bar has no room for four): their own tabs move between them. */}
      <a href="#/dialer-monitor" data-testid="nav-broadcasts" aria-current={isDialerPage(page) ? 'page' : undefined}>
        Dialers
      </a>
    </nav>
  );
}

/** App name, page links, connection indicator, my name and role, presence and logout. */
export function TopBar() {
  const user = me.value;
  if (!user) return null;
  const state = connection.value;

  return (
    <header class="top-bar">
      <span class="brand">Omnichat</span>
      <PageLinks user={user} />
      <span class={`connection connection-${state}`} data-testid="connection" data-state={state}>
        <span class="dot" aria-hidden="true" />
        {connectionLabels[state]}
      </span>
      <span class="spacer" />
      {presenceError.value && (
        <span class="inline-error" role="alert">
          {presenceError.value}
        </span>
      )}
      <ChatButton />
      <PresenceSelect user={user} />
      <span class="me" data-testid="me">
        <strong>{user.displayName}</strong> <span class="role">{user.role}</span>
      </span>
      <button type="button" class="ghost" data-testid="logout" onClick={() => void logout()}>
        Log out
      </button>
    </header>
  );
}
