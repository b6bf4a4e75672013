/**
 * `edgewise/sync`: durable outbox, delivery with retries, exporters, model downlink.
 *
 * @module edgewise/sync
 */
export { EdgewiseError, type ErrorCode } from '../errors';
export {
  announcedSha256,
  type CandidateRegistry,
  ModelDownlink,
  type ModelDownlinkOptions,
  type ModelUpdate,
  registerCandidate,
  sha256Hex,
} from './downlink';
export {
  type EncodedBatch,
  type Exporter,
  jsonLinesExporter,
  msToNanos,
  type OtlpOptions,
  otlpDouble,
  otlpExporter,
  remoteWriteExporter,
  toOtlpRequest,
  toPromSeries,
} from './exporters';
export { type LockMode, resolveLockMode, runAsLeader } from './leader';
export {
  type AppendResult,
  type DropEvent,
  type EdgewiseSyncDB,
  IndexedDbOutbox,
  type IndexedDbOutboxOptions,
  MemoryOutbox,
  type Outbox,
  type OutboxOptions,
  SYNC_SCHEMA_VERSION,
  toEntries,
} from './outbox';
export { decodeWriteRequest, encodeWriteRequest, type PromSeries } from './protobuf';
export { type BackoffOptions, backoffDelay, isRetryableStatus, parseRetryAfter } from './retry';
export {
  redactEndpoint,
  Sender,
  type SenderOptions,
  type SenderStats,
  type SyncEvent,
} from './sender';
export { eventRecord, Sync, type SyncOptions, snapshotRegistry } from './sync';
export * from './types';
