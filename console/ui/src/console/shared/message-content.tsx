import type { OutboundContent } from '../../../../../contract/conversations.ts';

/** The titles a customer can pick from (buttons or list rows), in order; none for a template. */
function choices(content: OutboundContent): string[] {
  if (content.type === 'buttons') return content.buttons.map((button) => button.title);
  if (content.type === 'list') return content.sections.flatMap((section) => section.rows.map((row) => row.title));
  return [];
}

/**
 * What goes with a message's text: a menu's options numbered as the customer can answer them
 * (a tap or the number), or the name of a WhatsApp template.
 */
export function MessageContent({ content }: { content: OutboundContent | null | undefined }) {
  if (!content) return null;
  if (content.type === 'template') {
    return (
      <div class="content-template small" data-testid="message-template">
        Template <code>{content.name}</code> ({content.language})
      </div>
    );
  }
  return (
    <ol class="content-options" data-testid="message-options" data-kind={content.type}>
      {choices(content).map((title, index) => (
        <li key={`${index}:${title}`} data-testid="message-option">
          <span class="option-number">{index + 1}</span> {title}
        </li>
      ))}
    </ol>
  );
}

/** A small tag naming the flow node that produced a bot message. */
export function NodeTag({ node }: { node: string | null | undefined }) {
  if (!node) return null;
  return (
    <span class="node-tag" data-testid="node-tag" title="Flow node">
      {node}
    </span>
  );
}
