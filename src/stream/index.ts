/**
 * `edgewise/stream`: sources, keyed event-time windows, watermarks, late data.
 *
 * @module edgewise/stream
 */
export type { AccState, Reducer } from './aggregate';
export {
  type CsvRowError,
  type ParseCsvOptions,
  type ParsedSeries,
  parseSeriesCsv,
  parseTimestamp,
} from './csv';
export { type HostAck, type HostedStreamOptions, hostStream } from './host';
export { StreamProcessor } from './processor';
export type {
  Key,
  LateEvent,
  SourceStats,
  StreamEvent,
  StreamOptions,
  StreamSnapshot,
  StreamStats,
  WindowResult,
  WindowSpec,
} from './types';
