/**
 * `edgewise/events`: the event bus (priorities, wildcards, backpressure, bridges, typed topics).
 *
 * @module edgewise/events
 */
export { type BridgeOptions, bridgeBus, type MessageEndpoint } from './bridge';
export { EventBus } from './bus';
export type {
  AnomalyEvent,
  EdgewiseTopics,
  EmitResult,
  RuntimeErrorEvent,
  TopicHandler,
  TopicOf,
  UntypedTopic,
} from './topic-map';
export {
  type BusStats,
  type DropEvent,
  type EmitOptions,
  type EventBusOptions,
  type Handler,
  type HandlerErrorEvent,
  type OverflowPolicy,
  PRIORITY,
  type Priority,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionOverflowPolicy,
  type SubscriptionStats,
} from './types';
