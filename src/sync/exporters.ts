/**
 * Exporters turn a batch of outbox records into one HTTP request body:
 * Prometheus remote write 1.0 (protobuf + snappy), OTLP/HTTP JSON metrics,
 * and plain JSON lines. Every request carries the batch's idempotency key.
 */
import { compress } from 'snappyjs';
import { EdgewiseError } from '../errors';
import { encodeWriteRequest, type PromSeries } from './protobuf';
import type { SyncRecord } from './types';

/** A request body with its headers. */
export interface EncodedBatch {
  body: Uint8Array | string;
  headers: Record<string, string>;
  /** Points in the batch (samples, histogram points, events). */
  points: number;
}

/** Encodes outbox records for a backend: remote write, OTLP/HTTP JSON or JSON lines. */
export interface Exporter {
  readonly name: 'remote-write' | 'otlp' | 'jsonl';
  encode(records: readonly SyncRecord[], idempotencyKey: string): EncodedBatch;
  /**
   * Whether a 4xx answer to a *re-sent* batch means "already stored" (the
   * backend refuses samples it already has). The sender then acknowledges the
   * batch instead of parking it.
   */
  isDuplicateRejection(status: number, body: string): boolean;
}

export const USER_AGENT = 'edgewise-sync/0.1';

function sortedLabels(name: string, labels: Record<string, string>): [string, string][] {
  const out: [string, string][] = [['__name__', name]];
  for (const k of Object.keys(labels).sort()) {
    if (k === '__name__') continue;
    out.push([k, labels[k]]);
  }
  out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return out;
}

function formatLe(b: number): string {
  return Number.isInteger(b) ? `${b}.0` : String(b);
}

/** The remote-write series (name + sorted labels, samples) of a batch of records. */
export function toPromSeries(records: readonly SyncRecord[]): PromSeries[] {
  const out: PromSeries[] = [];
  for (const r of records) {
    switch (r.type) {
      case 'series':
        out.push({ labels: sortedLabels(r.name, r.labels), ts: r.ts, v: r.v });
        break;
      case 'event':
        out.push({ labels: sortedLabels(r.name, r.labels), ts: [r.ts], v: [r.value] });
        break;
      case 'histogram': {
        let cum = 0;
        for (let i = 0; i <= r.bounds.length; i++) {
          cum += r.counts[i] ?? 0;
          const le = i < r.bounds.length ? formatLe(r.bounds[i]) : '+Inf';
          out.push({
            labels: sortedLabels(`${r.name}_bucket`, { ...r.labels, le }),
            ts: [r.ts],
            v: [cum],
          });
        }
        out.push({ labels: sortedLabels(`${r.name}_sum`, r.labels), ts: [r.ts], v: [r.sum] });
        out.push({ labels: sortedLabels(`${r.name}_count`, r.labels), ts: [r.ts], v: [r.count] });
        break;
      }
      case 'exphistogram':
        // Remote write 1.0 has no native histograms: count and sum only.
        out.push({ labels: sortedLabels(`${r.name}_sum`, r.labels), ts: [r.ts], v: [r.sum] });
        out.push({ labels: sortedLabels(`${r.name}_count`, r.labels), ts: [r.ts], v: [r.count] });
        break;
    }
  }
  return out;
}

function countPoints(records: readonly SyncRecord[]): number {
  let n = 0;
  for (const r of records) n += r.type === 'series' ? r.ts.length : 1;
  return n;
}

/** Prometheus remote write 1.0: snappy-compressed protobuf `WriteRequest`. */
export function remoteWriteExporter(): Exporter {
  return {
    name: 'remote-write',
    encode(records, key) {
      const raw = encodeWriteRequest(toPromSeries(records));
      return {
        body: compress(raw),
        headers: {
          'Content-Encoding': 'snappy',
          'Content-Type': 'application/x-protobuf',
          'X-Prometheus-Remote-Write-Version': '0.1.0',
          'Idempotency-Key': key,
        },
        points: countPoints(records),
      };
    },
    isDuplicateRejection(status, body) {
      // Prometheus answers 400 for samples it already has at that timestamp or
      // after it and rolls the whole request back, so a re-sent batch whose earlier
      // attempt got no answer and now gets this was stored by that attempt. "out of
      // bounds" (older than the head block) is not: such samples were never stored.
      return status === 400 && /out of order sample|duplicate sample for timestamp/i.test(body);
    },
  };
}

// ------------------------------------------------------------------ OTLP JSON

/** Options of the OTLP exporter: resource attributes and scope. */
export interface OtlpOptions {
  /** Resource attributes (default `{ 'service.name': 'edgewise' }`). */
  resource?: Record<string, string | number | boolean>;
  /** Instrumentation scope (default name 'edgewise'). */
  scope?: { name: string; version?: string };
}

type AnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number | string };

/** Proto3 JSON: a double is a number, or "NaN" / "Infinity" / "-Infinity". */
export function otlpDouble(x: number): number | string {
  if (Number.isFinite(x)) return x;
  return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
}

/** Milliseconds since the epoch to proto3-JSON fixed64 nanoseconds (a decimal string). */
export function msToNanos(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `otlp: timestamp must be a finite ms value >= 0, got ${ms}.`,
    );
  }
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}

function anyValue(v: string | number | boolean): AnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Number.isSafeInteger(v)) return { intValue: String(v) };
  return { doubleValue: otlpDouble(v) };
}

function attributes(
  labels: Record<string, string | number | boolean>,
): { key: string; value: AnyValue }[] {
  return Object.keys(labels)
    .sort()
    .map((key) => ({ key, value: anyValue(labels[key]) }));
}

const u64 = (n: number): string => String(Math.round(n));

/** Builds the `ExportMetricsServiceRequest` JSON object (proto3 JSON mapping). */
export function toOtlpRequest(records: readonly SyncRecord[], options: OtlpOptions = {}): unknown {
  const metrics = new Map<string, Record<string, unknown> & { name: string }>();
  const get = (name: string, field: string, init: () => Record<string, unknown>) => {
    const id = `${field}\u0000${name}`;
    let m = metrics.get(id);
    if (!m) {
      m = { name, [field]: init() };
      metrics.set(id, m);
    }
    return m[field] as { dataPoints: unknown[] };
  };
  for (const r of records) {
    switch (r.type) {
      case 'series': {
        const pts =
          r.kind === 'counter'
            ? get(r.name, 'sum', () => ({
                aggregationTemporality: 2,
                isMonotonic: true,
                dataPoints: [],
              }))
            : get(r.name, 'gauge', () => ({ dataPoints: [] }));
        const attrs = attributes(r.labels);
        for (let i = 0; i < r.ts.length; i++) {
          pts.dataPoints.push({
            attributes: attrs,
            timeUnixNano: msToNanos(r.ts[i]),
            asDouble: otlpDouble(r.v[i]),
          });
        }
        break;
      }
      case 'event':
        get(r.name, 'gauge', () => ({ dataPoints: [] })).dataPoints.push({
          attributes: attributes({ ...r.attributes, ...r.labels }),
          timeUnixNano: msToNanos(r.ts),
          asDouble: otlpDouble(r.value),
        });
        break;
      case 'histogram': {
        const p: Record<string, unknown> = {
          attributes: attributes(r.labels),
          timeUnixNano: msToNanos(r.ts),
          count: u64(r.count),
          sum: otlpDouble(r.sum),
          bucketCounts: r.counts.map(u64),
          explicitBounds: r.bounds.map(otlpDouble),
        };
        if (r.startTs !== undefined) p.startTimeUnixNano = msToNanos(r.startTs);
        get(r.name, 'histogram', () => ({
          aggregationTemporality: 2,
          dataPoints: [],
        })).dataPoints.push(p);
        break;
      }
      case 'exphistogram': {
        const p: Record<string, unknown> = {
          attributes: attributes(r.labels),
          timeUnixNano: msToNanos(r.ts),
          count: u64(r.count),
          sum: otlpDouble(r.sum),
          scale: r.scale,
          zeroCount: u64(r.zeroCount),
          positive: { offset: r.positive.offset, bucketCounts: r.positive.counts.map(u64) },
          negative: { offset: r.negative.offset, bucketCounts: r.negative.counts.map(u64) },
        };
        if (r.startTs !== undefined) p.startTimeUnixNano = msToNanos(r.startTs);
        if (r.min !== undefined) p.min = otlpDouble(r.min);
        if (r.max !== undefined) p.max = otlpDouble(r.max);
        get(r.name, 'exponentialHistogram', () => ({
          aggregationTemporality: 2,
          dataPoints: [],
        })).dataPoints.push(p);
        break;
      }
    }
  }
  return {
    resourceMetrics: [
      {
        resource: { attributes: attributes(options.resource ?? { 'service.name': 'edgewise' }) },
        scopeMetrics: [
          {
            scope: {
              name: options.scope?.name ?? 'edgewise',
              version: options.scope?.version ?? '0.1.0',
            },
            metrics: [...metrics.values()],
          },
        ],
      },
    ],
  };
}

/** OTLP/HTTP with the JSON encoding (POST to e.g. `http://collector:4318/v1/metrics`). */
export function otlpExporter(options: OtlpOptions = {}): Exporter {
  return {
    name: 'otlp',
    encode(records, key) {
      return {
        body: JSON.stringify(toOtlpRequest(records, options)),
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
        points: countPoints(records),
      };
    },
    isDuplicateRejection: () => false,
  };
}

/** Plain JSON lines, one object per point: `{"name","labels","ts","value"}` (histograms whole). */
export function jsonLinesExporter(): Exporter {
  return {
    name: 'jsonl',
    encode(records, key) {
      const lines: string[] = [];
      for (const r of records) {
        if (r.type === 'series') {
          for (let i = 0; i < r.ts.length; i++) {
            lines.push(
              JSON.stringify({
                name: r.name,
                labels: r.labels,
                kind: r.kind,
                ts: r.ts[i],
                value: r.v[i],
              }),
            );
          }
        } else lines.push(JSON.stringify(r));
      }
      return {
        body: `${lines.join('\n')}\n`,
        headers: { 'Content-Type': 'application/x-ndjson', 'Idempotency-Key': key },
        points: countPoints(records),
      };
    },
    isDuplicateRejection: () => false,
  };
}
