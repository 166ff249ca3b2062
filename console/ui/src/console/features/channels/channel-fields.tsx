import { useSignal } from '@preact/signals';
import type { ChannelType } from '../../../../../../contract/channels.ts';
import type { FieldIssue } from '../../../../../../contract/common.ts';
import { issuesOf, secretNames, type ChannelDraft } from './channel-draft.ts';
import { CHANNEL_SECRETS, COMMON_COUNTRIES, GENERATED_SECRETS, OPEN_SECRET_NAMES } from './channel-types.ts';

type FieldsProps = {
  /** Prefix of the inputs' ids, unique on the page. */
  idPrefix: string;
  type: ChannelType;
  draft: ChannelDraft;
  onChange: (change: Partial<ChannelDraft>) => void;
  issues: readonly FieldIssue[];
  /** Secrets the server already holds (edit form); empty when creating. */
  secretsSet: readonly string[];
  /** What an empty pace means for this channel: "80/s (type default)", "unpaced"… */
  paceHint: string;
  /** Id of the error summary the invalid fields point to. */
  errorsId: string;
};

const invalid = (issues: readonly FieldIssue[], field: string, errorsId: string) =>
  issuesOf(issues, field).length ? { 'aria-invalid': true as const, 'aria-describedby': errorsId } : {};

function SecretFields(props: FieldsProps) {
  const { idPrefix, type, draft, onChange, issues, secretsSet, errorsId } = props;
  const newName = useSignal('');
  const names = secretNames(type, secretsSet, draft.addedSecretNames);
  const specs = new Map(CHANNEL_SECRETS[type].map((spec) => [spec.name, spec]));
  const generated = GENERATED_SECRETS[type] ?? [];
  const adding = OPEN_SECRET_NAMES[type];
  const addName = () => {
    const name = newName.value.trim();
    if (name === '' || names.includes(name)) return;
    onChange({ addedSecretNames: [...draft.addedSecretNames, name] });
    newName.value = '';
  };

  return (
    <fieldset class="secrets" data-testid="channel-secrets">
      <legend>Secrets</legend>
      <p class="muted small">Write-only: stored values are never shown. Type a value to set or replace it; leave it empty to keep it.</p>
      {names.length === 0 && generated.length === 0 && <p class="muted small">This type takes no secrets.</p>}
      {generated.map((name) => (
        <div class="secret-row" key={name} data-testid="secret-row" data-secret={name}>
          <span class="secret-name">{name}</span>
          <span class="badge secret-set">generated</span>
          <span class="muted small">Made by the platform when the channel is created.</span>
        </div>
      ))}
      {names.map((name) => {
        const isSet = secretsSet.includes(name);
        const spec = specs.get(name);
        const id = `${idPrefix}-secret-${name}`;
        return (
          <div class="secret-row" key={name} data-testid="secret-row" data-secret={name}>
            <label class="secret-name" for={id}>
              {name}
              {spec?.optional && <span class="muted small">optional</span>}
            </label>
            <span class={isSet ? 'badge secret-set' : 'badge secret-unset'} data-testid="secret-status">
              {isSet ? 'set' : 'not set'}
            </span>
            <input
              id={id}
              type="password"
              autocomplete="new-password"
              data-testid={`secret-${name}`}
              placeholder={isSet ? 'Type to replace' : 'Not set'}
              value={draft.secrets[name] ?? ''}
              onInput={(e) => onChange({ secrets: { ...draft.secrets, [name]: e.currentTarget.value } })}
              {...invalid(issues, `secrets.${name}`, errorsId)}
            />
            {spec && <span class="muted small secret-hint">{spec.hint}</span>}
          </div>
        );
      })}
      {adding && (
        <div class="add-secret">
          <label for={`${idPrefix}-new-secret`} class="small">
            {adding.label}
          </label>
          <div class="row">
            <input
              id={`${idPrefix}-new-secret`}
              data-testid="new-secret-name"
              placeholder={adding.placeholder}
              value={newName.value}
              onInput={(e) => (newName.value = e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  addName();
                }
              }}
            />
            <button type="button" onClick={addName}>
              Add
            </button>
          </div>
        </div>
      )}
    </fieldset>
  );
}

/** The fields a channel is made of, shared by the create and edit forms. */
export function ChannelFields(props: FieldsProps) {
  const { idPrefix: p, draft, onChange, issues, paceHint, errorsId } = props;
  return (
    <>
      <div class="field-grid">
        <label class="field" for={`${p}-name`}>
          Name
          <input
            id={`${p}-name`}
            data-testid="channel-name-input"
            required
            maxLength={100}
            value={draft.name}
            onInput={(e) => onChange({ name: e.currentTarget.value })}
            {...invalid(issues, 'name', errorsId)}
          />
        </label>
        <label class="field" for={`${p}-address`}>
          Address
          <input
            id={`${p}-address`}
            data-testid="channel-address-input"
            placeholder="e.g. +59829001234"
            title="Our number or sender id, as customers see it"
            maxLength={64}
            value={draft.address}
            onInput={(e) => onChange({ address: e.currentTarget.value })}
            {...invalid(issues, 'address', errorsId)}
          />
        </label>
        <label class="field" for={`${p}-country`}>
          Default country
          <input
            id={`${p}-country`}
            data-testid="channel-country-input"
            list={`${p}-countries`}
            maxLength={2}
            placeholder="UY"
            title="ISO 3166 code used to read national numbers, e.g. UY"
            value={draft.defaultCountry}
            onInput={(e) => onChange({ defaultCountry: e.currentTarget.value.toUpperCase() })}
            {...invalid(issues, 'defaultCountry', errorsId)}
          />
          <datalist id={`${p}-countries`}>
            {COMMON_COUNTRIES.map((code) => (
              <option key={code} value={code} />
            ))}
          </datalist>
        </label>
        <label class="field" for={`${p}-pace`}>
          Sends per second
          <input
            id={`${p}-pace`}
            data-testid="channel-pace-input"
            type="number"
            min={0}
            step="any"
            placeholder={paceHint}
            value={draft.sendsPerSecond}
            onInput={(e) => onChange({ sendsPerSecond: e.currentTarget.value })}
            {...invalid(issues, 'sendsPerSecond', errorsId)}
          />
        </label>
      </div>
      <label class="field" for={`${p}-settings`}>
        <span>
          Settings <span class="muted small">(JSON, checked by the server when you save)</span>
        </span>
        <textarea
          id={`${p}-settings`}
          class="settings-json"
          data-testid="channel-settings"
          rows={Math.min(18, Math.max(4, draft.settingsText.split('\n').length + 1))}
          spellcheck={false}
          autocapitalize="off"
          value={draft.settingsText}
          onInput={(e) => onChange({ settingsText: e.currentTarget.value })}
          {...invalid(issues, 'settings', errorsId)}
        />
      </label>
      <SecretFields {...props} />
    </>
  );
}

/** The server's refusal next to the form: its message, then each field it names by path. */
export function FormErrors({ id, message, issues }: { id: string; message: string | null; issues: readonly FieldIssue[] }) {
  if (!message && issues.length === 0) return null;
  return (
    <div class="form-error" id={id} role="alert" data-testid="channel-form-errors">
      {message && <p>{message}</p>}
      {issues.length > 0 && (
        <ul class="issue-list">
          {issues.map((issue) => (
            <li key={`${issue.path}:${issue.message}`} data-testid="field-error" data-path={issue.path}>
              <code>{issue.path || '(request)'}</code> {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
