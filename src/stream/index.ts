/** `edgewise/stream`: sources, keyed event-time windows, watermarks, late data. */
export { type CsvRowError, type ParsedSeries, parseSeriesCsv, parseTimestamp } from './csv';
