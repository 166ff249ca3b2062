/** Every job queue of the platform; one handler file per queue exports `queue`, `options`, `workOptions`, `handle` and, if periodic, `schedule`. */
export const QUEUES = Object.freeze({
  /** A stored inbound message: attach to its conversation, let the bot answer, route. Strict FIFO per customer. */
  conversationInbound: 'conversation.inbound',
  /**
   * An outbound message row in `queued`, keyed by customer: send that customer's queued messages in
   * order. Strict FIFO per customer, so two messages of one customer never go out side by side.
   */
  gatewayOutbound: 'gateway.outbound',
  /** Delivery reports from a provider: move outbound messages on (sent, delivered, read, failed). */
  gatewayStatus: 'gateway.status',
  /** Capacity may have freed or a conversation queued: assign waiting conversations of a campaign. */
  routingAssign: 'routing.assign',
  /** An assigned agent has not answered within the campaign's answer time: back to the queue. */
  routingAnswerTimeout: 'routing.answer-timeout',
  /** A chat reached its campaign's chat time: flag it to the agent and the supervisors. */
  routingChatTime: 'routing.chat-time',
  /** An agent's last console socket went away; past the grace period they go offline. */
  routingPresenceGrace: 'routing.presence-grace',
  /** Every minute: queued customers who can no longer be answered (WhatsApp's window closed) leave as abandoned. */
  routingSweep: 'routing.sweep',
  /** Every minute: close bot conversations whose customer went quiet past the flow's inactivity limit. */
  botTimeouts: 'bots.timeout',
});

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** The send queue of one session channel (strict FIFO per customer), worked only by the node holding its session. */
export const sessionOutboundQueue = (channelId: number) => `gateway.session-outbound.${channelId}`;
