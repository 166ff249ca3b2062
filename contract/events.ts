import type { ChannelSessionEvent } from './channels.ts';
import type { Presence } from './common.ts';
import type { ConversationSummary, MessageView } from './conversations.ts';
import type { DialerMonitor, ImportProgress } from './dialer.ts';
import type { AgentChatMessage, AgentMonitor, CampaignMonitor, Offer } from './routing.ts';
import type { SimulatorMessage } from './simulator.ts';

/**
 * What the server pushes to the console over socket.io (namespace `/`, the session cookie), event name
 * to payload. The server's `Server<…>`, its published `LiveEvent`s and the console's socket all use
 * this map, so an event and its payload cannot drift apart.
 */
export type ConsoleEvents = {
  /** Sent once on connection, after the session is checked and the rooms joined. */
  ready: { userId: number };
  /** New in my inbox, a status change, a last message; also sent to a previous assignee, so a conversation leaving them leaves their inbox. */
  'conversation.upserted': ConversationSummary;
  'message.created': MessageView;
  /** A delivery status moved on. */
  'message.updated': MessageView;
  /** My own presence, e.g. changed by a supervisor. */
  'presence.updated': Presence;
  /** Admins: a session channel's state changed. */
  'channel.session': ChannelSessionEvent;
  /** Supervisors: a campaign's live figures, within a second of a change. */
  'monitor.campaign': CampaignMonitor;
  /** Supervisors: the agents of a campaign whose figures changed. */
  'monitor.agents': AgentMonitor[];
  /** An agent: a conversation offered to every available member. */
  'offer.created': Offer;
  /** Someone else took it, or it left the queue. */
  'offer.withdrawn': { conversationId: number };
  /** The chat passed the campaign's chat time. */
  'conversation.flagged': { conversationId: number; flag: 'chat_time' };
  /** Internal chat between supervisor and agent. */
  'agent-chat.message': AgentChatMessage;
  /** Supervisors: an agent of their campaigns changed state. */
  'agent.presence': Presence & { userId: number };
  /** Supervisors: a dialer's figures, about every second while it moves. */
  'dialer.monitor': DialerMonitor;
  /** The uploader: rows read so far of the file being imported. */
  'dialer.import.progress': ImportProgress;
};

/** What the server pushes to a simulated phone (namespace `/simulator`, auth `{ token }`). */
export type SimulatorEvents = {
  /** Sent once on connection, after the phone's token is checked. */
  ready: { number: string };
  message: SimulatorMessage;
  /** The bot is about to answer (shown until the next message, or for a few seconds). */
  typing: { at: string };
};

/** An event map as socket.io's listener map (`Server<…, Listeners<ConsoleEvents>>`, `Socket<Listeners<ConsoleEvents>>`). */
export type Listeners<Events> = { [K in keyof Events]: (payload: Events[K]) => void };
