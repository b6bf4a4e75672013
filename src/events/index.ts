/**
 * `edgewise/events`: the event bus (priorities, wildcards, backpressure, bridges).
 *
 * @module edgewise/events
 */
export { type BridgeOptions, bridgeBus, type MessageEndpoint } from './bridge';
export {
  type BusStats,
  type DropEvent,
  type EmitOptions,
  EventBus,
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
} from './bus';
