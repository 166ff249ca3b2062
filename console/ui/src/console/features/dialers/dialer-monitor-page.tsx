import { useEffect } from 'preact/hooks';
import type { DialerMonitor } from '../../../../../../contract/dialer.ts';
import { dialerMonitorLink, route, showDialerMonitor } from '../../shared/console-route.ts';
import { DialerActions } from './dialer-actions.tsx';
import {
  clearDialerAction,
  dialerActionError,
  dialerActionNote,
  dialerMonitorError,
  dialerMonitorLoaded,
  dialerMonitors,
  followDialerPushes,
  loadDialerMonitor,
} from './dialer-monitor-state.ts';
import { loadSpoolRows, refreshSpoolRowsSoon, spoolRowsFor } from './dialer-spool-state.ts';
import { DialerWarnings } from './dialers-page.tsx';
import { dialerList, loadDialerOptions, loadDialers } from './dialers-state.ts';
import { me } from '../../shared/session-state.ts';
import { SingleSend } from './single-send.tsx';
import { DncrUpload, SpoolUpload } from './spool-upload.tsx';
import { SpoolRows } from './spool-rows.tsx';

function Figure(props: { label: string; value: string; name: string; tone?: 'good' | 'bad' | 'alert'; title?: string }) {
  return (
    <div class={`figure${props.tone ? ` ${props.tone}` : ''}`} data-testid={`figure-${props.name}`} title={props.title}>
      <span class="figure-value">{props.value}</span>
      <span class="figure-label">{props.label}</span>
    </div>
  );
}

const activeText = (on: boolean) => (on ? 'Active' : 'Inactive');
const count = (n: number) => n.toLocaleString();
/** Right-aligned heads of columns of counts. */
const countHeads = (labels: string[]) =>
  labels.map((label) => (
    <th key={label} scope="col" class="number">
      {label}
    </th>
  ));
/** One row's counts, in the columns `countHeads` named. */
const countCells = (values: number[]) =>
  values.map((value, index) => (
    <td key={index} class="number">
      {count(value)}
    </td>
  ));

const MINUTE_MS = 60_000;
const CHART_MINUTES = 15;

/**
 * Sent per minute over the last 15 minutes, as bars (oldest on the left). The server lists only the
 * minutes that sent something, so the empty minutes are filled in here, up to the figures' time.
 */
function SentChart({ minutes, at }: { minutes: DialerMonitor['sentByMinute']; at: string }) {
  const sent = new Map(minutes.map((m) => [Math.floor(Date.parse(m.minute) / MINUTE_MS), m.sent]));
  const last = Math.floor(Date.parse(at) / MINUTE_MS);
  const slots = Array.from({ length: CHART_MINUTES }, (_, i) => last - CHART_MINUTES + 1 + i).map((minute) => ({ minute, sent: sent.get(minute) ?? 0 }));
  const top = Math.max(1, ...slots.map((slot) => slot.sent));
  const time = (minute: number) => new Date(minute * MINUTE_MS).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return (
    <div class="sent-chart-box">
      <span class="muted small">Sent per minute, last {CHART_MINUTES} min</span>
      <div class="sent-chart" role="img" aria-label={`Messages sent per minute: ${slots.map((slot) => slot.sent).join(', ')}`} data-testid="sent-chart">
        {slots.map((slot) => (
          <span
            key={slot.minute}
            class={slot.sent ? 'sent-bar' : 'sent-bar empty'}
            style={{ height: `${Math.max(3, (slot.sent / top) * 100)}%` }}
            title={`${time(slot.minute)}: ${slot.sent} sent`}
          />
        ))}
      </div>
    </div>
  );
}

/** The seed's dashboard: Status, On schedule, Processed, Not processed, Other, Blocked (plus Failed and the pace). */
function Dashboard({ monitor }: { monitor: DialerMonitor }) {
  const { totals } = monitor;
  const reason = !monitor.enabled
    ? 'Disabled: enable it on the Dialers page'
    : !monitor.running
      ? 'Stopped'
      : !monitor.onSchedule
        ? 'Outside its schedule'
        : 'Sending';
  return (
    <article class="monitor-card" data-testid="dialer-dashboard" data-dialer-id={monitor.dialer.id}>
      <div class="figures dialer-figures">
        <Figure
          name="status"
          label="Status"
          value={activeText(monitor.status === 'active')}
          tone={monitor.status === 'active' ? 'good' : undefined}
          title={reason}
        />
        <Figure name="on-schedule" label="On schedule" value={activeText(monitor.onSchedule)} tone={monitor.onSchedule ? 'good' : undefined} />
        <Figure name="processed" label="Processed" value={count(totals.processed)} />
        <Figure name="not-processed" label="Not processed" value={count(totals.notProcessed)} tone={totals.notProcessed > 0 ? 'alert' : undefined} />
        <Figure name="other" label="Other" value={count(totals.other)} title="Wrong number format" />
        <Figure name="blocked" label="Blocked" value={count(totals.blocked)} title="On the DNCR list" />
        <Figure name="failed" label="Failed" value={count(totals.failed)} tone={totals.failed > 0 ? 'bad' : undefined} title="The provider refused them" />
        <Figure name="sent-per-minute" label="Sent last full minute" value={count(monitor.sentPerMinute)} />
      </div>
      <div class="dashboard-foot">
        <span class="muted small" data-testid="dialer-reason">
          {reason} · {count(totals.sent)} sent · {count(totals.cancelled)} cancelled
        </span>
        <SentChart minutes={monitor.sentByMinute} at={monitor.at} />
      </div>
    </article>
  );
}

function CampaignTable({ monitor }: { monitor: DialerMonitor }) {
  if (monitor.campaigns.length === 0) return <p class="muted">No messages yet: upload a file of mass messages below.</p>;
  return (
    <section class="monitor-section" aria-labelledby="dialer-campaigns-title">
      <h2 id="dialer-campaigns-title">Campaigns</h2>
      <div class="table-scroll">
        <table class="channels-table monitor-table campaigns-table" data-testid="dialer-campaigns">
          <thead>
            <tr>
              <th scope="col">Campaign</th>
              {countHeads(['Processed', 'Not processed', 'Sent', 'Other', 'Blocked', 'Failed', 'Cancelled'])}
            </tr>
          </thead>
          <tbody>
            {monitor.campaigns.map((c) => (
              <tr key={c.campaign.id} data-testid="dialer-campaign-row" data-campaign-id={c.campaign.id}>
                <th scope="row">{c.campaign.name}</th>
                {countCells([c.processed, c.notProcessed, c.counts.sent, c.counts.other, c.counts.blocked, c.counts.failed, c.counts.cancelled])}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Every dialer at a glance, when none is picked: the seed's "all active mobile services". */
function Overview() {
  const list = dialerMonitors.value;
  if (dialerMonitorLoaded.value && list.length === 0)
    return <p class="muted">No dialers{me.value?.role === 'admin' ? ': create one on the Dialers page.' : ' in your security groups.'}</p>;
  return (
    <section class="monitor-section">
      <header class="section-head">
        <h2>Dialers</h2>
        <span class="muted small">Pick one to see its campaigns, start or stop it, upload messages or send one.</span>
      </header>
      <div class="table-scroll">
        <table class="channels-table monitor-table campaigns-table" data-testid="dialer-overview">
          <thead>
            <tr>
              <th scope="col">Dialer</th>
              <th scope="col">Status</th>
              <th scope="col">On schedule</th>
              {countHeads(['Processed', 'Not processed', 'Other', 'Blocked', 'Failed', 'Sent per minute'])}
            </tr>
          </thead>
          <tbody>
            {list.map((m) => (
              <tr key={m.dialer.id} data-testid="dialer-overview-row" data-dialer-id={m.dialer.id}>
                <th scope="row">
                  <a href={dialerMonitorLink(m.dialer.id)}>{m.dialer.name}</a>
                </th>
                <td>
                  <span class={m.status === 'active' ? 'badge badge-enabled' : 'badge badge-disabled'}>{activeText(m.status === 'active')}</span>
                </td>
                <td>{activeText(m.onSchedule)}</td>
                {countCells([m.totals.processed, m.totals.notProcessed, m.totals.other, m.totals.blocked, m.totals.failed, m.sentPerMinute])}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The supervisors' SMS dialers monitor: pick a dialer, watch it live, start or stop it, upload and send. */
export function DialerMonitorPage() {
  useEffect(() => {
    void loadDialerMonitor();
    void loadDialers();
    void loadDialerOptions(me.value?.role === 'admin');
    // A push that moved the shown dialer's figures refreshes its recent rows too (throttled).
    followDialerPushes((monitor) => refreshSpoolRowsSoon(monitor.dialer.id));
    return () => followDialerPushes(null);
  }, []);
  const current = route.value;
  const selected = current.page === 'dialer-monitor' ? current.dialer : null;
  useEffect(clearDialerAction, [selected]);
  const monitor = selected === null ? null : (dialerMonitors.value.find((m) => m.dialer.id === selected) ?? null);
  const warnings = dialerList.value.find((d) => d.id === selected)?.warnings ?? [];
  const reloadRows = () => {
    const shown = spoolRowsFor.value;
    if (shown && selected !== null) void loadSpoolRows(selected, shown.state);
    void loadDialerMonitor();
  };

  return (
    <main class="monitor-page dialer-monitor-page" data-testid="dialer-monitor-page">
      <div class="monitor-scroll">
        <header class="monitor-head">
          <h2>SMS dialers monitor</h2>
          <select
            aria-label="Dialer"
            data-testid="dialer-picker"
            value={selected ?? ''}
            onChange={(e) => showDialerMonitor(e.currentTarget.value === '' ? null : Number(e.currentTarget.value))}
          >
            <option value="">Every dialer</option>
            {dialerMonitors.value.map((m) => (
              <option key={m.dialer.id} value={m.dialer.id}>
                {m.dialer.name}
              </option>
            ))}
          </select>
          <span class="spacer" />
          {monitor && <DialerActions monitor={monitor} />}
        </header>
        <div class="monitor-body">
          {dialerMonitorError.value && <p class="inline-error">{dialerMonitorError.value}</p>}
          {dialerActionError.value && (
            <p class="form-error" role="alert" data-testid="dialer-action-error">
              {dialerActionError.value}
            </p>
          )}
          {dialerActionNote.value && (
            <p class="saved-note" role="status" data-testid="dialer-action-note">
              {dialerActionNote.value}
            </p>
          )}
          {selected === null && <Overview />}
          {selected !== null && !monitor && (
            <p class="muted">{dialerMonitorLoaded.value ? 'This dialer does not exist, or is not in your security groups.' : 'Loading…'}</p>
          )}
          {monitor && (
            <>
              <DialerWarnings warnings={warnings} />
              <Dashboard monitor={monitor} />
              <CampaignTable monitor={monitor} />
              <div class="dialer-tools" key={monitor.dialer.id}>
                <SpoolUpload dialerId={monitor.dialer.id} onDone={reloadRows} />
                <SingleSend dialerId={monitor.dialer.id} campaignIds={monitor.campaigns.map((c) => c.campaign.id)} onSent={reloadRows} />
                <DncrUpload />
              </div>
              <SpoolRows dialerId={monitor.dialer.id} />
            </>
          )}
        </div>
      </div>
    </main>
  );
}
