import { useEffect } from 'preact/hooks';
import { SPOOL_STATE_NAMES, type SpoolStateName } from '../../../../../../contract/dialer.ts';
import { formatFullTime, formatMessageTime } from '../../../format-time.ts';
import { loadSpoolRows, resetSpoolRows, SPOOL_STATE_LABELS, spoolRows, spoolRowsError, spoolRowsFor, spoolRowsLoading } from './dialer-spool-state.ts';

/** The dialer's newest spool rows (50), filtered by state: what was sent, blocked, refused, and why. */
export function SpoolRows({ dialerId }: { dialerId: number }) {
  useEffect(() => {
    void loadSpoolRows(dialerId, null);
    return resetSpoolRows;
  }, [dialerId]);
  const state = spoolRowsFor.value?.state ?? null;
  const rows = spoolRows.value;
  return (
    <section class="monitor-section" aria-labelledby="spool-rows-title" data-testid="spool-rows">
      <header class="section-head">
        <h2 id="spool-rows-title">Recent messages</h2>
        <select
          aria-label="State"
          data-testid="spool-state-filter"
          value={state ?? ''}
          onChange={(e) => void loadSpoolRows(dialerId, e.currentTarget.value === '' ? null : (e.currentTarget.value as SpoolStateName))}
        >
          <option value="">Every state</option>
          {SPOOL_STATE_NAMES.map((name) => (
            <option key={name} value={name}>
              {SPOOL_STATE_LABELS[name]}
            </option>
          ))}
        </select>
        <button type="button" class="ghost" data-testid="spool-refresh" disabled={spoolRowsLoading.value} onClick={() => void loadSpoolRows(dialerId, state)}>
          ↻ Refresh
        </button>
      </header>
      {spoolRowsError.value && <p class="inline-error">{spoolRowsError.value}</p>}
      <div class="table-scroll spool-scroll">
        <table class="channels-table monitor-table spool-table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Campaign</th>
              <th scope="col">Destiny</th>
              <th scope="col">Message</th>
              <th scope="col" class="number">
                Priority
              </th>
              <th scope="col">State</th>
              <th scope="col">Delivery</th>
              <th scope="col">Entered</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-testid="spool-row" data-state={row.state}>
                <td class="mono">{row.id}</td>
                <td>{row.campaign.name}</td>
                <td class="mono">{row.destination}</td>
                <td class="wrap message-cell" title={row.message}>
                  {row.message}
                </td>
                <td class="number">{row.priority}</td>
                <td>
                  <span class={`badge spool-${row.state}`}>{SPOOL_STATE_LABELS[row.state]}</span>
                  {row.attempts > 1 && <span class="muted small"> · {row.attempts} attempts</span>}
                  {row.error && <div class="small spool-error">{row.error}</div>}
                </td>
                <td class="small">{row.deliveryStatus ?? <span class="muted">—</span>}</td>
                <td class="small" title={formatFullTime(row.createdAt)}>
                  {formatMessageTime(row.createdAt)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length === 0 && !spoolRowsLoading.value && !spoolRowsError.value && (
        <p class="empty-list muted">No messages{state ? ` in state “${SPOOL_STATE_LABELS[state]}”` : ''}.</p>
      )}
    </section>
  );
}
