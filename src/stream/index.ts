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
export {
  type Key,
  type LateEvent,
  type SourceStats,
  type StreamEvent,
  type StreamOptions,
  StreamProcessor,
  type StreamSnapshot,
  type StreamStats,
  type WindowResult,
  type WindowSpec,
} from './processor';
