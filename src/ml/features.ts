/**
 * Declarative, JSON-serialisable feature specs compiled into an extractor that
 * turns a table or a stream into a row-major Float64Array (`n x dims`) with
 * column names. The table path is the stream path run over one batch, so both
 * give the same rows; the spec's SHA-256 (`specHash`) travels with models.
 */
import { toFloat64 } from '../core/arrays';
import { describeValue, EdgewiseError } from '../errors';
import { fftMagnitudes, isPowerOfTwo } from '../kernels/fft';
import { SlidingWindow } from '../kernels/window';
import { canonicalJson, sha256Hex } from './hash';

/** A statistic of a `rolling` feature. */
export type RollingStat = 'mean' | 'std' | 'min' | 'max' | 'sum';

/** One feature of a `FeatureSpec`. */
export type FeatureDef =
  /** The current value of a column. */
  | { kind: 'value'; column: string }
  /** x[t - k] for each k in `lags` (k >= 1). */
  | { kind: 'lag'; column: string; lags: readonly number[] }
  /** x[t] - x[t - lag] (default lag 1). */
  | { kind: 'diff'; column: string; lag?: number }
  /** numerator[t] / denominator[t]; a non-finite result becomes `fill` (default 0). */
  | { kind: 'ratio'; numerator: string; denominator: string; fill?: number }
  /** Statistics of the last `window` values (including x[t]) from the SlidingWindow kernel; std is the sample (n - 1) one. */
  | { kind: 'rolling'; column: string; window: number; stats: readonly RollingStat[] }
  /** Cyclic sin/cos encodings of the event time (`ts`, ms since epoch, UTC). */
  | { kind: 'time'; encodings: readonly ('hourOfDay' | 'dayOfWeek')[] }
  /** |X_k| / window, k = 1..bins, of the FFT of the mean-removed last `window` values (power of two). */
  | { kind: 'spectral'; column: string; window: number; bins: number }
  /** The last `size` values, oldest first (x[t - size + 1] ... x[t]). */
  | { kind: 'shingle'; column: string; size: number };

/** A declarative, JSON-serialisable feature specification (`compileFeatures`). */
export interface FeatureSpec {
  /** Format version of the spec (1). */
  version: 1;
  features: readonly FeatureDef[];
}

/** A columnar table: named numeric columns of equal length, optional event times. */
export interface FeatureTable {
  columns: Record<string, Float64Array | readonly number[]>;
  /** Event times in ms since the epoch (required by 'time' features). */
  ts?: Float64Array | readonly number[];
}

/** Feature rows: row-major data, column names, and each row's source index. */
export interface FeatureMatrix {
  /** Row-major n x dims. */
  data: Float64Array;
  n: number;
  dims: number;
  columns: readonly string[];
  /** For each output row, the index of its source row (counted from the first row ever pushed). */
  rows: Float64Array;
}

const DAY = 86_400_000;
const STATS: readonly RollingStat[] = ['mean', 'std', 'min', 'max', 'sum'];

function fail(msg: string): never {
  throw new EdgewiseError('INVALID_ARGUMENT', `FeatureSpec: ${msg}`);
}
function posInt(v: unknown, what: string, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > 1 << 20)
    fail(`${what} must be an integer >= ${min}, got ${describeValue(v)}.`);
  return v;
}
function colName(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0)
    fail(`${what} must be a column name, got ${describeValue(v)}.`);
  return v;
}

interface Compiled {
  columns: string[];
  inputs: string[];
  needsTs: boolean;
  /** Rows of history needed before the first output row (max lookback + 1). */
  span: number;
  /** Rows kept between stream batches (span - 1, or 2 w - 2 for block-aligned rolling windows). */
  keep: number;
}

function compile(spec: FeatureSpec): Compiled {
  if (!spec || typeof spec !== 'object' || spec.version !== 1 || !Array.isArray(spec.features))
    fail('pass { version: 1, features: [...] }.');
  if (spec.features.length === 0) fail('features is empty; add at least one feature.');
  const columns: string[] = [];
  const inputs = new Set<string>();
  let needsTs = false;
  let span = 1;
  spec.features.forEach((f, i) => {
    const at = `features[${i}]`;
    switch (f?.kind) {
      case 'value':
        inputs.add(colName(f.column, `${at}.column`));
        columns.push(f.column);
        break;
      case 'lag':
        inputs.add(colName(f.column, `${at}.column`));
        if (!Array.isArray(f.lags) || f.lags.length === 0)
          fail(`${at}.lags must be a non-empty array.`);
        for (const k of f.lags) {
          span = Math.max(span, posInt(k, `${at}.lags[]`) + 1);
          columns.push(`${f.column}_lag${k}`);
        }
        break;
      case 'diff': {
        inputs.add(colName(f.column, `${at}.column`));
        const lag = posInt(f.lag ?? 1, `${at}.lag`);
        span = Math.max(span, lag + 1);
        columns.push(`${f.column}_diff${lag}`);
        break;
      }
      case 'ratio':
        inputs.add(colName(f.numerator, `${at}.numerator`));
        inputs.add(colName(f.denominator, `${at}.denominator`));
        if (f.fill !== undefined && typeof f.fill !== 'number')
          fail(`${at}.fill must be a number.`);
        columns.push(`${f.numerator}_per_${f.denominator}`);
        break;
      case 'rolling': {
        inputs.add(colName(f.column, `${at}.column`));
        const w = posInt(f.window, `${at}.window`, 2);
        span = Math.max(span, w);
        if (!Array.isArray(f.stats) || f.stats.length === 0)
          fail(`${at}.stats must be a non-empty array.`);
        for (const s of f.stats) {
          if (!STATS.includes(s))
            fail(`${at}.stats: unknown statistic ${describeValue(s)}; use ${STATS.join(', ')}.`);
          columns.push(`${f.column}_${s}${w}`);
        }
        break;
      }
      case 'time':
        needsTs = true;
        if (!Array.isArray(f.encodings) || f.encodings.length === 0)
          fail(`${at}.encodings must be a non-empty array.`);
        for (const e of f.encodings) {
          if (e === 'hourOfDay') columns.push('hour_sin', 'hour_cos');
          else if (e === 'dayOfWeek') columns.push('dow_sin', 'dow_cos');
          else
            fail(`${at}.encodings: unknown ${describeValue(e)}; use 'hourOfDay' or 'dayOfWeek'.`);
        }
        break;
      case 'spectral': {
        inputs.add(colName(f.column, `${at}.column`));
        if (!isPowerOfTwo(f.window))
          fail(`${at}.window must be a power of two >= 2, got ${describeValue(f.window)}.`);
        posInt(f.bins, `${at}.bins`);
        if (f.bins > f.window / 2) fail(`${at}.bins must be <= window / 2 = ${f.window / 2}.`);
        span = Math.max(span, f.window);
        for (let k = 1; k <= f.bins; k++) columns.push(`${f.column}_fft${k}`);
        break;
      }
      case 'shingle': {
        inputs.add(colName(f.column, `${at}.column`));
        const s = posInt(f.size, `${at}.size`);
        span = Math.max(span, s);
        for (let j = 0; j < s; j++) columns.push(`${f.column}_sh${j}`);
        break;
      }
      default:
        fail(
          `${at}.kind ${describeValue((f as { kind?: unknown })?.kind)} is unknown; use value, lag, diff, ratio, rolling, time, spectral or shingle.`,
        );
    }
  });
  if (new Set(columns).size !== columns.length)
    fail('two features produce the same column name; remove the duplicate.');
  let keep = span - 1;
  for (const f of spec.features) if (f.kind === 'rolling') keep = Math.max(keep, 2 * f.window - 2);
  return { columns, inputs: [...inputs].sort(), needsTs, span, keep };
}

/** SHA-256 (hex) of the spec's canonical JSON: stored with every model trained on it. */
export function specHash(spec: FeatureSpec): Promise<string> {
  compile(spec);
  return sha256Hex(canonicalJson(spec));
}

/** A compiled spec: `transform` a whole table, or `stream()` batches through it. */
export class FeatureExtractor {
  readonly spec: FeatureSpec;
  readonly columns: readonly string[];
  readonly dims: number;
  /** Input columns the spec reads. */
  readonly inputs: readonly string[];
  /** Rows needed before the first output row (warm-up = span - 1 rows). */
  readonly span: number;
  readonly needsTs: boolean;
  /** @internal rows of history a stream keeps between batches. */
  readonly keep: number;

  constructor(spec: FeatureSpec) {
    const c = compile(spec);
    this.spec = JSON.parse(JSON.stringify(spec)) as FeatureSpec;
    this.columns = c.columns;
    this.dims = c.columns.length;
    this.inputs = c.inputs;
    this.span = c.span;
    this.needsTs = c.needsTs;
    this.keep = c.keep;
  }

  hash(): Promise<string> {
    return specHash(this.spec);
  }

  /** Features of a whole table (the first span - 1 rows are warm-up and produce no row). */
  transform(table: FeatureTable): FeatureMatrix {
    return this.stream().push(table);
  }

  /** A stateful stream: each `push` returns the rows completed by that batch. */
  stream(): FeatureStream {
    return new FeatureStream(this);
  }

  /** @internal computes rows [from, total) of the concatenated history+batch columns. */
  compute(
    cols: Map<string, Float64Array>,
    ts: Float64Array | undefined,
    from: number,
    total: number,
    firstRow: number,
  ): FeatureMatrix {
    const start = Math.max(from, this.span - 1 - firstRow);
    const n = Math.max(0, total - start);
    const d = this.dims;
    const out = new Float64Array(n * d);
    const rows = new Float64Array(n);
    for (let i = 0; i < n; i++) rows[i] = firstRow + start + i;
    let c = 0;
    for (const f of this.spec.features) {
      switch (f.kind) {
        case 'value': {
          const x = cols.get(f.column) as Float64Array;
          for (let i = 0; i < n; i++) out[i * d + c] = x[start + i];
          c++;
          break;
        }
        case 'lag': {
          const x = cols.get(f.column) as Float64Array;
          for (const k of f.lags) {
            for (let i = 0; i < n; i++) out[i * d + c] = x[start + i - k];
            c++;
          }
          break;
        }
        case 'diff': {
          const x = cols.get(f.column) as Float64Array;
          const lag = f.lag ?? 1;
          for (let i = 0; i < n; i++) out[i * d + c] = x[start + i] - x[start + i - lag];
          c++;
          break;
        }
        case 'ratio': {
          const a = cols.get(f.numerator) as Float64Array;
          const b = cols.get(f.denominator) as Float64Array;
          const fill = f.fill ?? 0;
          for (let i = 0; i < n; i++) {
            const r = a[start + i] / b[start + i];
            out[i * d + c] = Number.isFinite(r) ? r : fill;
          }
          c++;
          break;
        }
        case 'rolling': {
          const x = cols.get(f.column) as Float64Array;
          const w = f.window;
          // The kernel's two-stack blocks start where its first value is pushed: start
          // at a global index that is a multiple of w, so every call (table or any
          // stream batch) rounds each row identically.
          const g0 = firstRow + start;
          const a = Math.max(0, Math.floor((g0 - w + 1) / w) * w) - firstRow;
          const span = x.subarray(a, start + n);
          const skip = start - (a + w - 1);
          let finite = true;
          for (let i = 0; i < span.length; i++)
            if (!Number.isFinite(span[i])) {
              finite = false;
              break;
            }
          if (finite && n > 0) {
            // the SlidingWindow kernel (WASM, two-stack: no subtract-on-evict drift)
            const sw = new SlidingWindow({
              size: w,
              partial: false,
              stats: ['sum', 'mean', 'variance', 'min', 'max'],
            });
            try {
              const r = sw.push(span);
              let cc = c;
              for (const s of f.stats) {
                const col =
                  s === 'std'
                    ? (r.variance as Float64Array).map((v) =>
                        Math.sqrt(Math.max(0, v) * (w / (w - 1))),
                      )
                    : (r[s] as Float64Array);
                for (let i = 0; i < n; i++) out[i * d + cc] = col[skip + i];
                cc++;
              }
            } finally {
              sw.dispose();
            }
          } else {
            // non-finite values in the span: direct loop (NaN propagates into the rows it touches)
            for (let i = 0; i < n; i++) {
              const e = start + i + 1;
              let sum = 0;
              let mn = Infinity;
              let mx = -Infinity;
              for (let j = e - w; j < e; j++) {
                const v = x[j];
                sum += v;
                if (v < mn) mn = v;
                if (v > mx) mx = v;
              }
              const mean = sum / w;
              let ss = 0;
              for (let j = e - w; j < e; j++) ss += (x[j] - mean) ** 2;
              let cc = c;
              for (const s of f.stats) {
                out[i * d + cc++] =
                  s === 'mean'
                    ? mean
                    : s === 'sum'
                      ? sum
                      : s === 'min'
                        ? mn
                        : s === 'max'
                          ? mx
                          : Math.sqrt(ss / (w - 1));
              }
            }
          }
          c += f.stats.length;
          break;
        }
        case 'time': {
          const t = ts as Float64Array;
          for (const e of f.encodings) {
            for (let i = 0; i < n; i++) {
              const v = t[start + i];
              const a =
                e === 'hourOfDay'
                  ? (2 * Math.PI * (((v % DAY) + DAY) % DAY)) / DAY
                  : (2 * Math.PI * ((((Math.floor(v / DAY) + 4) % 7) + 7) % 7)) / 7;
              out[i * d + c] = Math.sin(a);
              out[i * d + c + 1] = Math.cos(a);
            }
            c += 2;
          }
          break;
        }
        case 'spectral': {
          const x = cols.get(f.column) as Float64Array;
          const w = f.window;
          const win = new Float64Array(n * w);
          for (let i = 0; i < n; i++) win.set(x.subarray(start + i + 1 - w, start + i + 1), i * w);
          const mags = fftMagnitudes(win, { n: w, bins: f.bins + 1, demean: true });
          for (let i = 0; i < n; i++)
            for (let k = 1; k <= f.bins; k++) out[i * d + c + k - 1] = mags[i * (f.bins + 1) + k];
          c += f.bins;
          break;
        }
        case 'shingle': {
          const x = cols.get(f.column) as Float64Array;
          for (let j = 0; j < f.size; j++) {
            for (let i = 0; i < n; i++) out[i * d + c] = x[start + i - (f.size - 1) + j];
            c++;
          }
          break;
        }
      }
    }
    return { data: out, n, dims: d, columns: this.columns, rows };
  }
}

/** Incremental extraction: keeps the last span - 1 rows between batches. */
export class FeatureStream {
  readonly extractor: FeatureExtractor;
  #hist = new Map<string, Float64Array>();
  #histTs: Float64Array = new Float64Array(0);
  #seen = 0;

  constructor(extractor: FeatureExtractor) {
    this.extractor = extractor;
    for (const c of extractor.inputs) this.#hist.set(c, new Float64Array(0));
  }

  /** Rows seen so far. */
  get seen(): number {
    return this.#seen;
  }

  push(batch: FeatureTable): FeatureMatrix {
    const ex = this.extractor;
    if (
      !batch ||
      typeof batch !== 'object' ||
      !batch.columns ||
      typeof batch.columns !== 'object'
    ) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        'FeatureExtractor: pass { columns: { name: Float64Array }, ts? }.',
      );
    }
    let len = -1;
    const cols = new Map<string, Float64Array>();
    for (const name of ex.inputs) {
      const raw = batch.columns[name];
      if (raw === undefined)
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `FeatureExtractor: input column '${name}' is missing; the spec reads ${ex.inputs.join(', ')}.`,
        );
      const v = toFloat64(raw, 'FeatureExtractor', `column '${name}'`);
      if (len >= 0 && v.length !== len)
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `FeatureExtractor: column '${name}' has ${v.length} rows, others have ${len}.`,
        );
      len = v.length;
      cols.set(name, v);
    }
    let ts: Float64Array | undefined;
    if (ex.needsTs) {
      if (batch.ts === undefined)
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          "FeatureExtractor: 'time' features need `ts` (ms since epoch) in the batch.",
        );
      ts = toFloat64(batch.ts, 'FeatureExtractor', 'ts');
      if (len >= 0 && ts.length !== len)
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `FeatureExtractor: ts has ${ts.length} rows, columns have ${len}.`,
        );
      len = ts.length;
    }
    if (len < 0) len = 0;
    // concatenate history and batch (validated above: nothing changes on a bad batch)
    const h = this.#histTs.length;
    const histLen = ex.inputs.length ? (this.#hist.get(ex.inputs[0]) as Float64Array).length : h;
    const joined = new Map<string, Float64Array>();
    for (const [name, v] of cols) {
      const old = this.#hist.get(name) as Float64Array;
      const j = new Float64Array(old.length + v.length);
      j.set(old);
      j.set(v, old.length);
      joined.set(name, j);
    }
    let jts: Float64Array | undefined;
    if (ts) {
      jts = new Float64Array(this.#histTs.length + ts.length);
      jts.set(this.#histTs);
      jts.set(ts, this.#histTs.length);
    }
    const firstRow = this.#seen - histLen;
    const result = ex.compute(joined, jts, histLen, histLen + len, firstRow);
    const keep = ex.keep;
    for (const [name, j] of joined) this.#hist.set(name, j.slice(Math.max(0, j.length - keep)));
    if (jts) this.#histTs = jts.slice(Math.max(0, jts.length - keep));
    this.#seen += len;
    return result;
  }

  /** Forgets the history (the next row starts a new warm-up). */
  reset(): void {
    for (const c of this.extractor.inputs) this.#hist.set(c, new Float64Array(0));
    this.#histTs = new Float64Array(0);
    this.#seen = 0;
  }
}

/**
 * Compiles a `FeatureSpec` into an extractor: `transform(table)` for a whole table, `stream()`
 * for incremental batches giving the same rows.
 */
export function compileFeatures(spec: FeatureSpec): FeatureExtractor {
  return new FeatureExtractor(spec);
}
