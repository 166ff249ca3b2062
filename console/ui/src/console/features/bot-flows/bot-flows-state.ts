import { signal } from '@preact/signals';
import type { BotFlowSummary, BotFlowView, DryRunResult } from '../../../../../../contract/bot-flows.ts';
import type { FieldIssue } from '../../../../../../contract/common.ts';
import { api, errorMessage } from '../../../api-client.ts';
import { fieldIssues } from '../../shared/field-issues.tsx';
import { createListStore } from '../../shared/list-store.ts';
import { onReset } from '../../shared/reset.ts';

/** A flow's versions share its name: the list holds the latest version of each. */
const flows = createListStore<BotFlowSummary>({
  load: async () => (await api.get<{ flows: BotFlowSummary[] }>('/api/bot-flows')).flows,
  key: (flow) => flow.name,
  order: (a, b) => a.name.localeCompare(b.name),
});

/** The latest version of every flow, loaded when the Bot flows page opens. */
export const flowList = flows.items;
export const flowsLoaded = flows.loaded;
export const flowsLoading = flows.loading;
export const flowsError = flows.error;
/** (Re)loads the list of flows. */
export const loadFlows = flows.load;

/** What "Try it" last played stays while moving between flows and versions, to play the same customer against each. */
const EXAMPLE_MESSAGES = 'Hi\n2\nAna';
export const tryMessages = signal(EXAMPLE_MESSAGES);
export const tryOpen = signal(true);

/** Forgets what was tried (on logout); the list store forgets the list. */
onReset(() => {
  tryMessages.value = EXAMPLE_MESSAGES;
  tryOpen.value = true;
});

/** One flow version with its definition (any version, not only the latest). */
export function fetchFlow(id: number): Promise<BotFlowView> {
  return api.get<BotFlowView>(`/api/bot-flows/${id}`);
}

/** Publishes a new version of the flow named `name` (admins); the list then shows it in place of the older one. */
export async function publishFlow(name: string, definition: unknown): Promise<BotFlowView> {
  const published = await api.post<BotFlowView>('/api/bot-flows', { name, definition });
  const { definition: _definition, ...summary } = published;
  flows.upsert(summary);
  return published;
}

/** The flow a dry run plays: a saved version, or a definition being edited (admins only: its HTTP nodes call out). */
export type DryRunSource = { flowId: number } | { definition: unknown };

/** What the "Try it" panel plays: customer messages against a flow, in or out of the campaign's hours. */
export function dryRunFlow(source: DryRunSource, messages: string[], open: boolean): Promise<DryRunResult> {
  return api.post<DryRunResult>('/api/bot-flows/dry-run', { ...source, messages, campaign: { open } });
}

/** A refusal as the forms show it: the problems at their paths (`nodes.menu.options.2.next`), else one message. */
export function refusal(error: unknown): { message: string; issues: FieldIssue[] } {
  const issues = fieldIssues(error);
  return issues.length ? { message: 'The server refused the flow:', issues } : { message: errorMessage(error), issues: [] };
}
