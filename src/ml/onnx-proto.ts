/**
 * A minimal protocol-buffers writer for the ONNX messages the exporter emits
 * (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
 * ValueInfoProto). Field numbers follow onnx/onnx.proto (IR version 8).
 */

class Writer {
  readonly bytes: number[] = [];
  varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.bytes.push(Number((x & 0x7fn) | 0x80n));
      x >>= 7n;
    }
    this.bytes.push(Number(x));
  }
  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }
  int(field: number, v: number | bigint): void {
    this.tag(field, 0);
    this.varint(v);
  }
  bytesField(field: number, b: Uint8Array | number[]): void {
    this.tag(field, 2);
    this.varint(b.length);
    for (let i = 0; i < b.length; i++) this.bytes.push(b[i]);
  }
  str(field: number, s: string): void {
    this.bytesField(field, new TextEncoder().encode(s));
  }
  msg(field: number, m: Writer): void {
    this.bytesField(field, m.bytes);
  }
  float(field: number, v: number): void {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.bytes.push(...b);
  }
}

export const TensorType = { FLOAT: 1, INT64: 7, DOUBLE: 11 } as const;

export interface TensorInit {
  name?: string;
  type: 'double' | 'float' | 'int64';
  dims: number[];
  values: ArrayLike<number>;
}

function tensor(t: TensorInit): Writer {
  const w = new Writer();
  for (const d of t.dims) w.int(1, d);
  const dt =
    t.type === 'double'
      ? TensorType.DOUBLE
      : t.type === 'float'
        ? TensorType.FLOAT
        : TensorType.INT64;
  w.int(2, dt);
  if (t.name !== undefined) w.str(8, t.name);
  const n = t.values.length;
  const raw = new Uint8Array(n * (t.type === 'float' ? 4 : 8));
  const v = new DataView(raw.buffer);
  for (let i = 0; i < n; i++) {
    if (t.type === 'double') v.setFloat64(i * 8, t.values[i], true);
    else if (t.type === 'float') v.setFloat32(i * 4, t.values[i], true);
    else v.setBigInt64(i * 8, BigInt(t.values[i]), true);
  }
  w.bytesField(9, raw);
  return w;
}

export type AttrValue =
  | { int: number }
  | { float: number }
  | { string: string }
  | { ints: ArrayLike<number> }
  | { floats: ArrayLike<number> }
  | { strings: string[] }
  | { tensor: TensorInit };

function attribute(name: string, a: AttrValue): Writer {
  const w = new Writer();
  w.str(1, name);
  if ('int' in a) {
    w.int(3, a.int);
    w.int(20, 2);
  } else if ('float' in a) {
    w.float(2, a.float);
    w.int(20, 1);
  } else if ('string' in a) {
    w.str(4, a.string);
    w.int(20, 3);
  } else if ('tensor' in a) {
    w.msg(5, tensor(a.tensor));
    w.int(20, 4);
  } else if ('floats' in a) {
    for (let i = 0; i < a.floats.length; i++) w.float(7, a.floats[i]);
    w.int(20, 6);
  } else if ('ints' in a) {
    for (let i = 0; i < a.ints.length; i++) w.int(8, a.ints[i]);
    w.int(20, 7);
  } else {
    for (const s of a.strings) w.str(9, s);
    w.int(20, 8);
  }
  return w;
}

export interface NodeInit {
  op: string;
  domain?: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attributes?: Record<string, AttrValue>;
}

export interface ValueInfo {
  name: string;
  type: 'double' | 'float' | 'int64';
  /** A number, or a symbolic name for a dynamic dimension. */
  shape: (number | string)[];
}

function valueInfo(v: ValueInfo): Writer {
  const shape = new Writer();
  for (const d of v.shape) {
    const dim = new Writer();
    if (typeof d === 'number') dim.int(1, d);
    else dim.str(2, d);
    shape.msg(1, dim);
  }
  const tt = new Writer();
  tt.int(
    1,
    v.type === 'double'
      ? TensorType.DOUBLE
      : v.type === 'float'
        ? TensorType.FLOAT
        : TensorType.INT64,
  );
  tt.msg(2, shape);
  const type = new Writer();
  type.msg(1, tt);
  const w = new Writer();
  w.str(1, v.name);
  w.msg(2, type);
  return w;
}

export interface ModelInit {
  graphName: string;
  nodes: NodeInit[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers?: TensorInit[];
  opsets: { domain: string; version: number }[];
  producer?: string;
  docString?: string;
}

/** Encodes an ONNX ModelProto (IR version 8). */
export function encodeModel(m: ModelInit): Uint8Array {
  const g = new Writer();
  for (const n of m.nodes) {
    const nw = new Writer();
    for (const i of n.inputs) nw.str(1, i);
    for (const o of n.outputs) nw.str(2, o);
    if (n.name) nw.str(3, n.name);
    nw.str(4, n.op);
    for (const [k, a] of Object.entries(n.attributes ?? {})) nw.msg(5, attribute(k, a));
    if (n.domain) nw.str(7, n.domain);
    g.msg(1, nw);
  }
  g.str(2, m.graphName);
  for (const t of m.initializers ?? []) g.msg(5, tensor(t));
  for (const v of m.inputs) g.msg(11, valueInfo(v));
  for (const v of m.outputs) g.msg(12, valueInfo(v));
  const w = new Writer();
  w.int(1, 8);
  w.str(2, m.producer ?? 'edgewise');
  if (m.docString) w.str(6, m.docString);
  w.msg(7, g);
  for (const o of m.opsets) {
    const ow = new Writer();
    ow.str(1, o.domain);
    ow.int(2, o.version);
    w.msg(8, ow);
  }
  return Uint8Array.from(w.bytes);
}
