import { useSignal } from '@preact/signals';
import { useDismiss } from '../../shared/use-dismiss.ts';
import { useEffect, useRef } from 'preact/hooks';
import type { TargetedKeyboardEvent } from 'preact';
import type { ConversationDetail } from '../../../../../../contract/conversations.ts';
import { cannedEntry, ensureCannedResponses, matchResponses, type CannedResponse } from './canned-responses-state.ts';

/** The responses of the conversation's campaign, or why there are none to offer. */
export type CannedOffer = { responses: CannedResponse[]; unavailable: string | null };

/** Loads (once per sign-in) the responses of the conversation's campaign, again when its campaign changes. */
export function useCannedResponses(conversation: ConversationDetail): CannedOffer {
  const campaign = conversation.campaign;
  const campaignId = campaign?.id ?? null;
  useEffect(() => {
    if (campaignId !== null) void ensureCannedResponses(campaignId);
  }, [campaignId]);

  if (!campaign) return { responses: [], unavailable: 'This conversation has no campaign, so there are no pre-set responses.' };
  const entry = cannedEntry(campaign.id);
  if (!entry || entry.status === 'loading') return { responses: [], unavailable: 'Loading the pre-set responses…' };
  if (entry.status === 'failed') return { responses: [], unavailable: `Could not load the pre-set responses: ${entry.error}` };
  if (entry.responses.length === 0) return { responses: [], unavailable: `Campaign ${entry.campaignName} has no pre-set responses.` };
  return { responses: entry.responses, unavailable: null };
}

/** One response in a list: its shortcut and the start of its body (as it will be inserted). */
function ResponseOption(props: { response: CannedResponse; preview: string; active: boolean; id: string; onPick: () => void }) {
  return (
    <div
      id={props.id}
      role="option"
      aria-selected={props.active}
      // The focus stays in the search field or the reply box, which move the highlight (aria-activedescendant).
      tabIndex={-1}
      class={props.active ? 'canned-option active' : 'canned-option'}
      data-testid="canned-option"
      data-shortcut={props.response.shortcut}
      // Keep the focus where it is (the search field or the reply box) while clicking.
      onMouseDown={(event) => event.preventDefault()}
      onClick={props.onPick}
      onKeyDown={(event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          props.onPick();
        }
      }}
    >
      <span class="canned-shortcut">/{props.response.shortcut}</span>
      <span class="canned-preview">{props.preview}</span>
    </div>
  );
}

/** The highlight after an arrow key in a list of `count` items (wrapping round), or null for any other key. */
export function moveHighlight(key: string, index: number, count: number): number | null {
  if (count === 0) return null;
  if (key === 'ArrowDown') return (index + 1) % count;
  if (key === 'ArrowUp') return (index - 1 + count) % count;
  return null;
}

/**
 * Button that opens the campaign's pre-set responses, filtered by typing; `onPick` receives the chosen
 * response. Disabled, with the reason as its tooltip, when there is nothing to offer.
 */
export function CannedResponsePicker(props: {
  offer: CannedOffer;
  fill: (body: string) => string;
  onPick: (response: CannedResponse) => void;
  /** Why the agent cannot write at all, or null. */
  blocked: string | null;
}) {
  const open = useSignal(false);
  const filter = useSignal('');
  const highlighted = useSignal(0);
  const container = useRef<HTMLDivElement>(null);
  const reason = props.blocked ?? props.offer.unavailable;
  const matches = matchResponses(props.offer.responses, filter.value);
  const active = Math.min(highlighted.value, Math.max(matches.length - 1, 0));

  useDismiss(open, container);

  useEffect(() => {
    if (reason !== null) open.value = false;
  }, [reason]);

  function pick(response: CannedResponse) {
    open.value = false;
    props.onPick(response);
  }

  function onFilterKey(event: TargetedKeyboardEvent<HTMLInputElement>) {
    const next = moveHighlight(event.key, active, matches.length);
    if (next !== null) {
      event.preventDefault();
      highlighted.value = next;
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const chosen = matches[active];
      if (chosen) pick(chosen);
    }
  }

  return (
    <div class="canned-picker" ref={container} title={reason ?? undefined} data-testid="canned-picker">
      <button
        type="button"
        class="canned-button"
        data-testid="canned-button"
        aria-label="Pre-set responses"
        aria-haspopup="listbox"
        aria-expanded={open.value}
        title={reason ?? 'Pre-set responses of this campaign (or type / and a shortcut)'}
        disabled={reason !== null}
        onClick={() => {
          filter.value = '';
          highlighted.value = 0;
          open.value = !open.value;
        }}
      >
        <span aria-hidden="true">⚡</span>
        <span class="canned-label">Pre-set responses</span>
      </button>
      {open.value && (
        <div class="canned-popover" data-testid="canned-popover">
          <input
            // biome-ignore lint/a11y/noAutofocus: as it always was: the filter of a picker the user just opened (issue 14 changes no behaviour)
            autoFocus
            type="search"
            class="canned-filter"
            data-testid="canned-filter"
            placeholder="Filter by shortcut or text…"
            aria-label="Filter the pre-set responses"
            aria-controls="canned-list"
            aria-activedescendant={matches[active] ? `canned-option-${active}` : undefined}
            value={filter.value}
            onInput={(event) => {
              filter.value = event.currentTarget.value;
              highlighted.value = 0;
            }}
            onKeyDown={onFilterKey}
          />
          <div class="canned-list" id="canned-list" role="listbox" aria-label="Pre-set responses">
            {matches.map((response, index) => (
              <ResponseOption
                key={response.shortcut}
                id={`canned-option-${index}`}
                response={response}
                preview={props.fill(response.body)}
                active={index === active}
                onPick={() => pick(response)}
              />
            ))}
            {matches.length === 0 && <div class="muted canned-none">No response matches “{filter.value.trim()}”.</div>}
          </div>
        </div>
      )}
    </div>
  );
}

/** What the reply box shows while a `/shortcut` is typed at its start. */
export function ShortcutSuggestions(props: {
  matches: CannedResponse[];
  active: number;
  fill: (body: string) => string;
  onPick: (response: CannedResponse) => void;
}) {
  if (props.matches.length === 0) return null;
  return (
    <div class="canned-suggestions" data-testid="canned-suggestions">
      <div class="canned-list" id="canned-suggestion-list" role="listbox" aria-label="Pre-set responses matching the shortcut">
        {props.matches.map((response, index) => (
          <ResponseOption
            key={response.shortcut}
            id={`canned-suggestion-${index}`}
            response={response}
            preview={props.fill(response.body)}
            active={index === props.active}
            onPick={() => props.onPick(response)}
          />
        ))}
      </div>
      <p class="muted small canned-hint">Tab or Enter inserts · ↑↓ choose · Esc dismisses</p>
    </div>
  );
}
