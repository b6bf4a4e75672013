/**
 * Exporters against references produced by Google's protobuf runtime
 * (test/fixtures/generate_sync.py): remote-write `WriteRequest` bytes equal
 * `SerializeToString()`, and the OTLP JSON equals `MessageToDict()` of the
 * same request (proto3 JSON mapping), after dropping default-valued fields
 * that printers omit. Plus JSON lines shape.
 */
import { uncompress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import {
  encodeWriteRequest,
  jsonLinesExporter,
  msToNanos,
  otlpExporter,
  remoteWriteExporter,
  type SyncRecord,
  toPromSeries,
} from '../src/sync/index';
import fx from './fixtures/sync.json';

type Raw = Record<string, unknown>;
const num = (x: unknown) => (typeof x === 'string' ? Number(x) : (x as number));

/** Fixture records (JSON) to SyncRecords (Float64Array columns). */
function records(): SyncRecord[] {
  return (fx.records as Raw[]).map((r) =>
    r.type === 'series'
      ? ({
          ...r,
          ts: Float64Array.from(r.ts as number[]),
          v: Float64Array.from((r.v as unknown[]).map(num)),
        } as SyncRecord)
      : (r as unknown as SyncRecord),
  );
}

/** Fields with presence (oneof members, proto3 optional) are kept even at default values. */
const PRESENCE = new Set([
  'asDouble',
  'asInt',
  'sum',
  'min',
  'max',
  'stringValue',
  'boolValue',
  'intValue',
  'doubleValue',
]);

function stripDefaults(x: unknown, key = ''): unknown {
  if (Array.isArray(x)) return x.map((v) => stripDefaults(v));
  if (x && typeof x === 'object') {
    const o: Raw = {};
    for (const [k, v] of Object.entries(x as Raw)) {
      const s = stripDefaults(v, k);
      const isDefault =
        s === '' || s === 0 || s === '0' || s === false || (Array.isArray(s) && s.length === 0);
      if (isDefault && !PRESENCE.has(k)) continue;
      o[k] = s;
    }
    return o;
  }
  void key;
  return x;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('remote write vs protobuf runtime', () => {
  it('WriteRequest bytes equal SerializeToString() for the same records', () => {
    const raw = encodeWriteRequest(toPromSeries(records()));
    expect(hex(raw)).toBe(fx.remoteWriteHex);
    const body = remoteWriteExporter().encode(records(), 'k').body as Uint8Array;
    expect(hex(uncompress(body))).toBe(fx.remoteWriteHex);
  });
  it('edge values: zero, negative and 2^53-1 timestamps, extreme doubles', () => {
    const s = fx.edge.samples as [number, number][];
    const raw = encodeWriteRequest([
      { labels: [['__name__', 'edge']], ts: s.map((x) => x[0]), v: s.map((x) => x[1]) },
    ]);
    expect(hex(raw)).toBe(fx.edge.hex);
  });
});

describe('OTLP/HTTP JSON vs the proto3 JSON mapping', () => {
  it('equals MessageToDict() of the ExportMetricsServiceRequest', () => {
    const enc = otlpExporter({ resource: fx.resource }).encode(records(), 'key-1');
    expect(enc.headers['Content-Type']).toBe('application/json');
    expect(enc.headers['Idempotency-Key']).toBe('key-1');
    const ours = JSON.parse(enc.body as string);
    expect(stripDefaults(ours)).toEqual(fx.otlp);
  });
  it('follows the mapping rules: camelCase, 64-bit integers as strings, enum integers, NaN as a string', () => {
    const body = otlpExporter().encode(records(), 'k').body as string;
    expect(body).not.toMatch(/"[a-z]+_[a-z_]+":/); // no snake_case field names
    expect(body).toContain('"timeUnixNano":"1764000000000000000"');
    expect(body).toContain('"timeUnixNano":"1764000000000500000"'); // sub-ms kept to the microsecond
    expect(body).toContain('"aggregationTemporality":2');
    expect(body).toContain('"asDouble":"NaN"');
    expect(body).toContain('"bucketCounts":["1","2","3","0"]');
    expect(msToNanos(1.25)).toBe('1250000');
    expect(() => msToNanos(-1)).toThrow(/timestamp/);
  });
});

describe('JSON lines', () => {
  it('one object per point, newline-terminated', () => {
    const enc = jsonLinesExporter().encode(records(), 'k');
    const lines = (enc.body as string)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBe(3 + 2 + 2 + 3);
    expect(lines[0]).toEqual({
      name: 'http_requests_total',
      labels: { route: '/', code: '200' },
      kind: 'counter',
      ts: 1764000000000,
      value: 1,
    });
    expect(enc.headers['Content-Type']).toBe('application/x-ndjson');
    expect(enc.points).toBe(10);
  });
});
