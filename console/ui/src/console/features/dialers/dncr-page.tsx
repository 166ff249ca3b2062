import { useSignal } from '@preact/signals';
import type { TargetedSubmitEvent } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { DncrEntry } from '../../../../../../contract/dialer.ts';
import { errorMessage } from '../../../api-client.ts';
import { formatFullTime, formatMessageTime } from '../../../format-time.ts';
import { ConfirmButton } from '../../shared/confirm-button.tsx';
import { dialerOptions, loadDialerOptions } from './dialers-state.ts';
import { addDncrNumber, dncrEntries, dncrError, dncrFilter, dncrHasMore, dncrLoaded, loadDncr, removeDncrEntry, type DncrFilter } from './dncr-state.ts';
import { me } from '../../shared/session-state.ts';
import { DncrUpload } from './spool-upload.tsx';

const SOURCE_LABELS: Record<DncrEntry['source'], string> = { manual: 'Added by hand', upload: 'Uploaded file', opt_out: 'Opt-out keyword' };

/** Campaign choices as select values: `all`, `global` or a campaign id. */
const scopeValue = (scope: DncrFilter['scope']) => String(scope);
const scopeOf = (value: string): DncrFilter['scope'] => (value === 'all' || value === 'global' ? value : Number(value));

function AddNumber() {
  const number = useSignal('');
  const campaignId = useSignal<number | null>(null);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const note = useSignal<string | null>(null);
  async function submit(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy.value || number.value.trim() === '') return;
    busy.value = true;
    error.value = null;
    note.value = null;
    try {
      const entry = await addDncrNumber(number.value.trim(), campaignId.value);
      note.value = `${entry.number} is on the ${entry.campaign ? `list of ${entry.campaign.name}` : 'global list'}.`;
      number.value = '';
    } catch (failure) {
      error.value = errorMessage(failure);
    } finally {
      busy.value = false;
    }
  }
  return (
    <form class="card" data-testid="dncr-add" onSubmit={submit} noValidate aria-labelledby="dncr-add-title">
      <div class="card-title">
        <h3 id="dncr-add-title">Add a number</h3>
      </div>
      <div class="field-grid">
        <label class="field">
          Number
          <input
            data-testid="dncr-number"
            inputMode="tel"
            placeholder="e.g. 098344484"
            value={number.value}
            onInput={(e) => (number.value = e.currentTarget.value)}
            aria-invalid={error.value ? true : undefined}
          />
        </label>
        <label class="field">
          List
          <select
            data-testid="dncr-campaign"
            value={campaignId.value ?? ''}
            onChange={(e) => (campaignId.value = e.currentTarget.value === '' ? null : Number(e.currentTarget.value))}
          >
            <option value="">Global (every campaign)</option>
            {dialerOptions.value.campaigns.map((campaign) => (
              <option key={campaign.id} value={campaign.id}>
                Campaign {campaign.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <div class="form-actions">
        {note.value && (
          <span class="saved-note" role="status" data-testid="dncr-added">
            {note.value}
          </span>
        )}
        <button type="submit" class="primary" data-testid="dncr-add-submit" disabled={busy.value || number.value.trim() === ''}>
          Add
        </button>
      </div>
      {error.value && (
        <p class="form-error" role="alert" data-testid="dncr-add-error">
          {error.value}
        </p>
      )}
    </form>
  );
}

function EntryRow({ entry, onError }: { entry: DncrEntry; onError: (message: string) => void }) {
  async function remove() {
    try {
      await removeDncrEntry(entry.id);
    } catch (error) {
      onError(errorMessage(error));
    }
  }
  return (
    <tr data-testid="dncr-row" data-entry-id={entry.id}>
      <td class="mono">{entry.number}</td>
      <td>{entry.campaign ? entry.campaign.name : <span class="badge badge-global">Global</span>}</td>
      <td class="small">{SOURCE_LABELS[entry.source]}</td>
      <td class="small" title={formatFullTime(entry.createdAt)}>
        {formatMessageTime(entry.createdAt)}
      </td>
      <td class="row-actions">
        <ConfirmButton action="Remove" keep="Keep" ghost testId="dncr-remove" onConfirm={remove} />
      </td>
    </tr>
  );
}

/** The DNCR page (supervisors and admins): search the lists, add or remove a number, upload a file. */
export function DncrPage() {
  const removeError = useSignal<string | null>(null);
  const typing = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    void loadDncr();
    void loadDialerOptions(me.value?.role === 'admin');
    return () => typing.current && clearTimeout(typing.current);
  }, []);
  const filter = dncrFilter.value;
  const setFilter = (part: Partial<DncrFilter>, wait: number) => {
    dncrFilter.value = { ...dncrFilter.value, ...part };
    if (typing.current) clearTimeout(typing.current);
    typing.current = setTimeout(() => void loadDncr(), wait);
  };
  return (
    <main class="members-page dncr-page" data-testid="dncr-page">
      <header class="members-bar">
        <h2>DNCR</h2>
        <span class="muted small">Numbers that must not be messaged. Dialers with the DNCR check block them (state 3, Blocked).</span>
      </header>
      <div class="dncr-columns">
        <section class="members-column" aria-label="Listed numbers">
          <div class="column-header">
            <input
              type="search"
              class="grow"
              placeholder="Search a number…"
              aria-label="Search"
              data-testid="dncr-search"
              value={filter.q}
              onInput={(e) => setFilter({ q: e.currentTarget.value }, 300)}
            />
            <select
              aria-label="List"
              data-testid="dncr-scope"
              value={scopeValue(filter.scope)}
              onChange={(e) => setFilter({ scope: scopeOf(e.currentTarget.value) }, 0)}
            >
              <option value="all">Every list</option>
              <option value="global">Global list</option>
              {dialerOptions.value.campaigns.map((campaign) => (
                <option key={campaign.id} value={campaign.id}>
                  {campaign.name}
                </option>
              ))}
            </select>
          </div>
          {(dncrError.value || removeError.value) && <p class="inline-error">{dncrError.value ?? removeError.value}</p>}
          <div class="column-list">
            <table class="channels-table" data-testid="dncr-list" data-loaded={dncrLoaded.value ? 'true' : 'false'}>
              <thead>
                <tr>
                  <th scope="col">Number</th>
                  <th scope="col">List</th>
                  <th scope="col">Source</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {dncrEntries.value.map((entry) => (
                  <EntryRow key={entry.id} entry={entry} onError={(message) => (removeError.value = message)} />
                ))}
              </tbody>
            </table>
            {dncrLoaded.value && dncrEntries.value.length === 0 && (
              <p class="empty-list muted">{filter.q || filter.scope !== 'all' ? 'No number matches.' : 'The lists are empty.'}</p>
            )}
            {dncrHasMore.value && (
              <div class="empty-list">
                <button type="button" data-testid="dncr-more" onClick={() => void loadDncr(true)}>
                  Show older entries
                </button>
              </div>
            )}
          </div>
        </section>
        <div class="dncr-side">
          <AddNumber />
          <DncrUpload onDone={() => void loadDncr()} />
        </div>
      </div>
    </main>
  );
}
