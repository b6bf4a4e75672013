/// <reference lib="webworker" />
// The demo's CSV worker: parses an uploaded file in ~1 MB chunks (cut at line
// ends) with `parseSeriesCsv`, posting progress after each chunk, then the
// columns (transferred) and the row errors.
import { type ParsedSeries, parseSeriesCsv } from 'edgewise/stream';

/** What the page posts: the file's text. */
export interface CsvRequest {
  text: string;
}

/** What the worker posts back. */
export type CsvReply =
  | { type: 'progress'; fraction: number }
  | { type: 'done'; result: ParsedSeries }
  | { type: 'error'; message: string };

const CHUNK = 1 << 20;
const MAX_ERRORS = 1000;
const post = (m: CsvReply, transfer: Transferable[] = []): void => self.postMessage(m, transfer);

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function parse(text: string): ParsedSeries {
  const ts: Float64Array[] = [];
  const vs: Float64Array[] = [];
  const keys: string[] = [];
  let hasKeys = false;
  const errors: ParsedSeries['errors'] = [];
  let line = 1;
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + CHUNK);
    if (end < text.length) {
      const nl = text.indexOf('\n', end);
      end = nl < 0 ? text.length : nl + 1;
    }
    const chunk = text.slice(start, end);
    const part = parseSeriesCsv(chunk, {
      firstLine: line,
      maxErrors: Math.max(0, MAX_ERRORS - errors.length),
    });
    ts.push(part.timestamps);
    vs.push(part.values);
    if (part.keys) hasKeys = true;
    keys.push(...(part.keys ?? new Array<string>(part.values.length).fill('')));
    errors.push(...part.errors);
    for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) line++;
    start = end;
    post({ type: 'progress', fraction: end / text.length });
  }
  return { timestamps: concat(ts), values: concat(vs), keys: hasKeys ? keys : undefined, errors };
}

self.onmessage = (e: MessageEvent<CsvRequest>) => {
  try {
    const result = parse(e.data.text);
    post({ type: 'done', result }, [result.timestamps.buffer, result.values.buffer]);
  } catch (err) {
    post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};
