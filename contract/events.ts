import type { ChannelSessionEvent } from './channels.ts';
import type { Presence } from './common.ts';
import type { ConversationSummary, MessageView } from './conversations.ts';
import type { DialerMonitor, ImportProgress } from './dialer.ts';
import type { AgentChatMessage, AgentMonitor, CampaignMonitor, Offer } from './routing.ts';
import type { SimulatorMessage } from './simulator.ts';

/**
 * What the server publishes to the console over socket.io (namespace `/`, the session cookie), event
 * name to payload, carried in `live` frames (`ConsoleSocketEvents`). The server's published
 * `LiveEvent`s and the console's handlers both use this map, so an event and its payload cannot drift apart.
 */
export type ConsoleEvents = {
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

/** What the server publishes to a simulated phone (namespace `/simulator`, auth `{ token }`), in `live` frames. */
export type SimulatorEvents = {
  message: SimulatorMessage;
  /** The bot is about to answer (shown until the next message, or for a few seconds). */
  typing: { at: string };
};

/** One published event as a frame carries it. */
export type LiveEventOf<Events> = { [K in keyof Events]: { event: K; payload: Events[K] } }[keyof Events];

/**
 * What a socket receives as `live`: the events one process (`publisher`, a new id each time a process
 * starts) published for the socket's rooms within one short window, in the order published, each once.
 * `seqs` numbers the frame in each of those rooms, per publisher and room (1, 2, 3…): a number skipped
 * is a frame this socket missed; a frame may carry no event, only numbers (frames lost before it).
 */
export type LiveFrame<Events> = { publisher: string; seqs: Record<string, number>; events: LiveEventOf<Events>[] };

/**
 * The server says this socket may have missed frames: a process started (the one it replaces may have
 * died with frames unsent), or this node listens again after losing its database connection.
 */
export type LiveResync = { reason: 'publisher-started' | 'node-listening' };

/** What the console's socket receives (`Server<…, Listeners<ConsoleSocketEvents>>`, `Socket<Listeners<ConsoleSocketEvents>>`). */
export type ConsoleSocketEvents = {
  /** Sent once on connection, after the session is checked and the rooms joined. */
  ready: { userId: number };
  live: LiveFrame<ConsoleEvents>;
  'live.resync': LiveResync;
};

/** What the phone page's socket receives. */
export type SimulatorSocketEvents = {
  /** Sent once on connection, after the phone's token is checked. */
  ready: { number: string };
  live: LiveFrame<SimulatorEvents>;
  'live.resync': LiveResync;
};

/** An event map as socket.io's listener map (`Server<…, Listeners<ConsoleSocketEvents>>`, a handler per `ConsoleEvents` event). */
export type Listeners<Events> = { [K in keyof Events]: (payload: Events[K]) => void };
