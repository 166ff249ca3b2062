export const CONVERSATION_STATUSES = ['bot', 'queued', 'assigned', 'closed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export const MESSAGE_STATUSES = ['received', 'queued', 'sent', 'delivered', 'read', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const AUTHOR_TYPES = ['contact', 'bot', 'agent', 'system'] as const;
export type AuthorType = (typeof AUTHOR_TYPES)[number];

export type ConversationSummary = {
  id: number;
  status: ConversationStatus;
  closeReason: string | null;
  campaign: { id: number; name: string } | null;
  channel: { id: number; name: string; type: string };
  customer: { address: string; name: string | null };
  assignedTo: { id: number; displayName: string } | null;
  lastMessage: { body: string; authorType: AuthorType; at: string } | null;
  openedAt: string;
  queuedAt: string | null;
  assignedAt: string | null;
  closedAt: string | null;
  lastMessageAt: string;
  /** When the chat passed its campaign's chat time (flagged to the agent and supervisors); null otherwise. */
  chatTimeExceededAt: string | null;
};

export type MessageView = {
  id: number;
  conversationId: number;
  direction: 'inbound' | 'outbound';
  /** `contact`, `bot`, `agent:<id>` or `system`, as in the transcript. */
  author: string;
  authorType: AuthorType;
  authorName: string | null;
  botNode: string | null;
  body: string;
  /** A template's name, or the buttons / list offered with the body. */
  content: OutboundContent | null;
  status: MessageStatus;
  error: { code: string | null; message: string | null } | null;
  createdAt: string;
};

/** What the bot learnt before a handoff: the agent sees it beside the transcript. */
export type BotSummary = {
  flow: { id: number; name: string; version: number } | null;
  /** The menu or question the bot is waiting on, while the conversation is the bot's. */
  waitingAt: string | null;
  variables: Record<string, string | number | boolean | null>;
};

export type ConversationDetail = ConversationSummary & {
  messages: MessageView[];
  handoffNote: string | null;
  priority: number;
  bot: BotSummary;
};

/**
 * Rich content of an outbound message beside its plain `body`: an approved WhatsApp template, reply
 * buttons or a list. Channels that cannot show it send the body with the options numbered.
 */
export type OutboundContent =
  | { type: 'template'; name: string; language: string; bodyParameters: string[]; headerParameters?: string[] }
  | { type: 'buttons'; buttons: { id: string; title: string }[]; header?: string; footer?: string }
  | {
      type: 'list';
      button: string;
      sections: { title?: string; rows: { id: string; title: string; description?: string }[] }[];
      header?: string;
      footer?: string;
    };
