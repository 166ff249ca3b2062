/** Every job queue of the platform; one handler file per queue exports `queue`, `options` and `handle`. */
export const QUEUES = Object.freeze({
  /** A stored inbound message: attach to its conversation, let the bot answer, route. Strict FIFO per customer. */
  conversationInbound: 'conversation.inbound',
  /** An outbound message row in `queued`: hand it to its channel adapter. */
  gatewaySend: 'gateway.send',
  /** Delivery reports from a provider: move outbound messages on (sent, delivered, read, failed). */
  gatewayStatus: 'gateway.status',
  /** Capacity may have freed or a conversation queued: assign waiting conversations of a campaign. */
  routingAssign: 'routing.assign',
});

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
