import type { ChannelSession } from '../../../../../../contract/channels.ts';
import { formatFullTime } from '../../../format-time.ts';
import { SESSION_STATE_LABELS } from './channel-types.ts';

/** Coloured pill for a session channel's live state; errors carry their detail as a tooltip. */
export function SessionBadge({ session }: { session: ChannelSession }) {
  return (
    <span class={`badge session-badge session-${session.state}`} data-testid="session-badge" data-state={session.state} title={session.detail ?? undefined}>
      {SESSION_STATE_LABELS[session.state] ?? session.state}
    </span>
  );
}

function SessionHelp({ session }: { session: ChannelSession }) {
  switch (session.state) {
    case 'qr':
      return session.qrImage ? (
        <div class="qr-box">
          <img class="qr-image" data-testid="channel-qr" src={session.qrImage} width={264} height={264} alt="QR code to link this number" />
          <p>
            On the phone of this number open <strong>WhatsApp &gt; Linked devices &gt; Link a device</strong> and scan the code. It changes every few seconds:
            this page follows it.
          </p>
        </div>
      ) : (
        <p class="muted">Waiting for the pairing code…</p>
      );
    case 'open':
      return <p data-testid="session-detail">Connected{session.detail ? ` as ${session.detail}` : ''}.</p>;
    case 'error':
    case 'logged_out':
      return (
        <p class="session-problem" data-testid="session-detail" role="status">
          {session.detail ?? (session.state === 'logged_out' ? 'The phone unlinked this device.' : 'The session failed.')}
        </p>
      );
    default:
      return session.detail ? (
        <p class="muted" data-testid="session-detail">
          {session.detail}
        </p>
      ) : null;
  }
}

/** The session card of the channel panel: state, the pairing QR to scan, or who it is connected as. */
export function SessionCard({ session }: { session: ChannelSession }) {
  return (
    <section class="card" aria-labelledby="session-title" data-testid="channel-session">
      <div class="card-title">
        <h3 id="session-title">Session</h3>
        <SessionBadge session={session} />
      </div>
      <SessionHelp session={session} />
      {session.updatedAt && (
        <p class="muted small">
          Since {formatFullTime(session.updatedAt)}
          {session.node ? ` · node ${session.node}` : ''}
        </p>
      )}
    </section>
  );
}
