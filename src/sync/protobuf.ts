/**
 * A minimal protobuf writer for Prometheus remote write 1.0's `WriteRequest`:
 *
 *   message WriteRequest { repeated TimeSeries timeseries = 1; }
 *   message TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 *   message Label        { string name = 1; string value = 2; }
 *   message Sample       { double value = 1; int64 timestamp = 2; }
 *
 * Sizes are computed first, then the bytes are written in one pass into one
 * buffer (no intermediate sub-message buffers).
 */
import { EdgewiseError } from '../errors';

const te = new TextEncoder();

/** One remote-write time series: sorted label pairs and samples. */
export interface PromSeries {
  /** Label pairs including `__name__`, sorted by name (remote write requires sorted labels). */
  labels: [string, string][];
  ts: ArrayLike<number>;
  v: ArrayLike<number>;
}

function varintSize(n: number): number {
  let s = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    s++;
  }
  return s;
}

/** Size of an int64 field value (two's complement for negatives: always 10 bytes). */
function int64Size(n: number): number {
  return n < 0 ? 10 : varintSize(n);
}

class Writer {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  byte(b: number): void {
    this.buf[this.pos++] = b;
  }
  varint(n: number): void {
    while (n >= 128) {
      this.buf[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }
  int64(n: number): void {
    if (n >= 0) {
      this.varint(n);
      return;
    }
    // Two's complement over 64 bits, 10 bytes.
    let big = BigInt.asUintN(64, BigInt(n));
    for (let i = 0; i < 9; i++) {
      this.buf[this.pos++] = Number(big & 0x7fn) | 128;
      big >>= 7n;
    }
    this.buf[this.pos++] = Number(big);
  }
  double(x: number): void {
    new DataView(this.buf.buffer, this.buf.byteOffset + this.pos, 8).setFloat64(0, x, true);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

/** Encodes a `WriteRequest`. Timestamps are rounded to integer milliseconds. */
export function encodeWriteRequest(series: readonly PromSeries[]): Uint8Array {
  // Pass 1: sizes.
  const enc: { labels: [Uint8Array, Uint8Array, number][]; samples: number[]; size: number }[] = [];
  let total = 0;
  for (const s of series) {
    let size = 0;
    const labels: [Uint8Array, Uint8Array, number][] = [];
    for (const [k, v] of s.labels) {
      const kb = te.encode(k);
      const vb = te.encode(v);
      const l = 1 + varintSize(kb.length) + kb.length + 1 + varintSize(vb.length) + vb.length;
      labels.push([kb, vb, l]);
      size += 1 + varintSize(l) + l;
    }
    const samples: number[] = [];
    for (let i = 0; i < s.ts.length; i++) {
      const t = Math.round(s.ts[i]);
      // proto3 leaves fields at their default (+0, 0) out, as protobuf runtimes do.
      const l = (Object.is(s.v[i], 0) ? 0 : 9) + (t === 0 ? 0 : 1 + int64Size(t));
      samples.push(l);
      size += 1 + varintSize(l) + l;
    }
    enc.push({ labels, samples, size });
    total += 1 + varintSize(size) + size;
  }
  // Pass 2: bytes.
  const w = new Writer(new Uint8Array(total));
  for (let j = 0; j < series.length; j++) {
    const s = series[j];
    const e = enc[j];
    w.byte(0x0a); // field 1, length-delimited
    w.varint(e.size);
    for (const [kb, vb, l] of e.labels) {
      w.byte(0x0a);
      w.varint(l);
      w.byte(0x0a);
      w.varint(kb.length);
      w.bytes(kb);
      w.byte(0x12);
      w.varint(vb.length);
      w.bytes(vb);
    }
    for (let i = 0; i < s.ts.length; i++) {
      const t = Math.round(s.ts[i]);
      w.byte(0x12);
      w.varint(e.samples[i]);
      if (!Object.is(s.v[i], 0)) {
        w.byte(0x09); // field 1, fixed64
        w.double(s.v[i]);
      }
      if (t !== 0) {
        w.byte(0x10); // field 2, varint
        w.int64(t);
      }
    }
  }
  return w.buf;
}

/** Decodes a `WriteRequest` (for tests and inspection of parked batches). */
export function decodeWriteRequest(buf: Uint8Array): PromSeries[] {
  let pos = 0;
  const td = new TextDecoder();
  const varint = (): number => {
    let n = 0;
    let mul = 1;
    for (;;) {
      const b = buf[pos++];
      if (b === undefined)
        throw new EdgewiseError('CORRUPT_STATE', 'decodeWriteRequest: truncated varint');
      n += (b & 127) * mul;
      if (b < 128) return n;
      mul *= 128;
    }
  };
  const int64 = (): number => {
    let big = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[pos++];
      if (b === undefined)
        throw new EdgewiseError('CORRUPT_STATE', 'decodeWriteRequest: truncated varint');
      big |= BigInt(b & 127) << shift;
      if (b < 128) break;
      shift += 7n;
    }
    return Number(BigInt.asIntN(64, big));
  };
  const skip = (wire: number) => {
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 2) pos += varint();
    else if (wire === 5) pos += 4;
    else throw new EdgewiseError('CORRUPT_STATE', `decodeWriteRequest: bad wire type ${wire}`);
  };
  const out: PromSeries[] = [];
  while (pos < buf.length) {
    const tag = varint();
    if (tag !== 0x0a) {
      skip(tag & 7);
      continue;
    }
    const end = pos + varint();
    const labels: [string, string][] = [];
    const ts: number[] = [];
    const v: number[] = [];
    while (pos < end) {
      const t = varint();
      const len = varint();
      const sub = pos + len;
      if (t === 0x0a) {
        let k = '';
        let val = '';
        while (pos < sub) {
          const f = varint();
          const l = varint();
          const s = td.decode(buf.subarray(pos, pos + l));
          pos += l;
          if (f === 0x0a) k = s;
          else if (f === 0x12) val = s;
        }
        labels.push([k, val]);
      } else if (t === 0x12) {
        let value = 0;
        let stamp = 0;
        while (pos < sub) {
          const f = varint();
          if (f === 0x09) {
            value = new DataView(buf.buffer, buf.byteOffset + pos, 8).getFloat64(0, true);
            pos += 8;
          } else if (f === 0x10) stamp = int64();
          else skip(f & 7);
        }
        ts.push(stamp);
        v.push(value);
      }
      pos = sub;
    }
    out.push({ labels, ts, v });
  }
  return out;
}
