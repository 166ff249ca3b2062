import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { DialerView } from '../../../../../../contract/dialer.ts';
import { errorMessage } from '../../../api-client.ts';
import { channelTypeLabel } from '../channels/channel-types.ts';
import { ConfirmButton } from '../../shared/confirm-button.tsx';
import { dialerMonitorLink, dialersLink, route, showDialers } from '../../shared/console-route.ts';
import { DialerForm } from './dialer-form.tsx';
import { deleteDialer, dialerList, dialerOptionsError, dialersError, dialersLoaded, loadDialerOptions, loadDialers } from './dialers-state.ts';
import { RecordPanel } from '../../shared/record-panel.tsx';
import { me } from '../../shared/session-state.ts';

const isAdmin = () => me.value?.role === 'admin';

/** Running (started and enabled), Stopped, or Disabled. */
export function RunBadge({ dialer }: { dialer: Pick<DialerView, 'enabled' | 'running'> }) {
  if (!dialer.enabled) return <span class="badge badge-disabled">Disabled</span>;
  return dialer.running ? <span class="badge badge-enabled">Running</span> : <span class="badge badge-stopped">Stopped</span>;
}

/** The warnings the server attaches to a dialer (e.g. the WhatsApp Web ban risk), impossible to miss. */
export function DialerWarnings({ warnings }: { warnings: string[] }) {
  if (warnings.length === 0) return null;
  return (
    <div class="dialer-warning" role="alert" data-testid="dialer-warnings">
      {warnings.map((warning) => (
        <p key={warning} data-testid="dialer-warning">
          ⚠ {warning}
        </p>
      ))}
    </div>
  );
}

function DialerRow({ dialer, active }: { dialer: DialerView; active: boolean }) {
  return (
    <tr class={active ? 'active' : undefined} data-testid="dialer-row" data-dialer-id={dialer.id} aria-current={active ? 'true' : undefined}>
      <th scope="row">
        <a href={dialersLink(dialer.id)} data-testid="dialer-link">
          {dialer.name}
        </a>
        {dialer.warnings.length > 0 && (
          <span class="warning-mark" title={dialer.warnings.join('\n')} role="img" aria-label="Has warnings">
            ⚠
          </span>
        )}
      </th>
      <td class="wrap">
        {dialer.channel.name} <span class="muted small">{channelTypeLabel(dialer.channel.type)}</span>
      </td>
      <td class="wrap">{dialer.schedule ? dialer.schedule.name : <span class="muted">Always</span>}</td>
      <td class="mono">{dialer.dialString ?? <span class="muted">—</span>}</td>
      <td class="number">{dialer.timeBetweenMessagesMs} ms</td>
      <td>
        <RunBadge dialer={dialer} />
      </td>
    </tr>
  );
}

function DialerTable({ selected }: { selected: number | 'new' | null }) {
  const list = dialerList.value;
  return (
    <section class="channel-list" aria-labelledby="dialers-title">
      <header class="list-header">
        <h2 id="dialers-title">SMS dialers</h2>
        {isAdmin() && (
          <a class="button-link primary" href={dialersLink('new')} data-testid="new-dialer">
            New dialer
          </a>
        )}
      </header>
      {dialersError.value && (
        <p class="inline-error" role="alert">
          {dialersError.value}
        </p>
      )}
      <div class="table-scroll">
        <table class="channels-table campaigns-table" data-testid="dialer-list" data-loaded={dialersLoaded.value ? 'true' : 'false'}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">SMS provider</th>
              <th scope="col">Schedule</th>
              <th scope="col">Dial string</th>
              <th scope="col" class="number">
                Between messages
              </th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {list.map((dialer) => (
              <DialerRow key={dialer.id} dialer={dialer} active={dialer.id === selected} />
            ))}
          </tbody>
        </table>
      </div>
      {list.length === 0 && dialersLoaded.value && (
        <p class="empty-list muted">{isAdmin() ? 'No dialers yet: create the first one.' : 'No dialers in your security groups.'}</p>
      )}
      {!dialersLoaded.value && !dialersError.value && <p class="empty-list muted">Loading…</p>}
    </section>
  );
}

/** Admins delete a dialer in two clicks; one with spool rows is refused (409): its history stays. */
function DeleteDialer({ dialer }: { dialer: DialerView }) {
  const refusal = useSignal<string | null>(null);
  async function remove() {
    refusal.value = null;
    try {
      await deleteDialer(dialer.id);
      showDialers();
    } catch (error) {
      refusal.value = errorMessage(error);
    }
  }
  return (
    <>
      <ConfirmButton action="Delete" question={`Delete “${dialer.name}”?`} testId="dialer-delete" onConfirm={remove} />
      {refusal.value && (
        <p class="form-error banner panel-banner" role="alert" data-testid="dialer-delete-refused">
          {refusal.value}
        </p>
      )}
    </>
  );
}

/** One dialer's pane (a new one's when null): its state, warnings and settings. */
function DialerPanel({ dialer }: { dialer: DialerView | null }) {
  return (
    <div class="channel-panel campaign-panel" data-testid="dialer-detail" data-dialer-id={dialer?.id ?? 'new'}>
      <header class="panel-header">
        <a class="ghost back-link" href={dialersLink()} aria-label="Back to the dialer list">
          ←
        </a>
        <div class="grow">
          <h2 data-testid="dialer-title">{dialer ? dialer.name : 'New dialer'}</h2>
          <p class="muted small">
            {dialer ? (
              <>
                {dialer.onSchedule ? 'On schedule now' : 'Outside its schedule now'} · <a href={dialerMonitorLink(dialer.id)}>Open in the dialer monitor</a>
              </>
            ) : (
              'A bulk sender: it drains the spool of uploaded messages through one SMS provider.'
            )}
          </p>
        </div>
        {dialer && (
          <div class="panel-badges" data-testid="dialer-state-badge">
            <RunBadge dialer={dialer} />
          </div>
        )}
        {dialer && isAdmin() && <DeleteDialer key={dialer.id} dialer={dialer} />}
      </header>
      {dialer && <DialerWarnings warnings={dialer.warnings} />}
      {dialerOptionsError.value && <p class="inline-error">{dialerOptionsError.value}</p>}
      {!isAdmin() && <p class="muted small">Only admins change dialers.</p>}
      <DialerForm key={dialer?.id ?? 'new'} dialer={dialer} editable={isAdmin()} />
    </div>
  );
}

/** The Dialers page (supervisors read, admins create, change and delete): the list, and one dialer's settings. */
export function DialersPage() {
  useEffect(() => {
    void loadDialers();
    void loadDialerOptions(isAdmin());
  }, []);
  const current = route.value;
  const selected = current.page === 'dialers' ? current.dialer : null;
  return (
    <main class={selected === null ? 'channels-page campaigns-page showing-list' : 'channels-page campaigns-page showing-panel'} data-testid="dialers-page">
      <DialerTable selected={selected} />
      <RecordPanel
        selected={selected}
        list={dialerList.value}
        loaded={dialersLoaded.value}
        noun="dialer"
        prompt={`Pick a dialer to see ${isAdmin() ? 'and change ' : ''}its settings${isAdmin() ? ', or create a new one' : ''}.`}
        isAdmin={isAdmin()}
      >
        {(dialer) => <DialerPanel dialer={dialer} />}
      </RecordPanel>
    </main>
  );
}
