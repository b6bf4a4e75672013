/**
 * The trainable model kinds of `train()` behind one interface (`score`,
 * `serialize`), and a versioned binary envelope:
 *   'EWML' u32 magic, u32 version, u32 header length, UTF-8 JSON header
 *   ({ kind, dims, specHash, columns, params, ... }), then the payload bytes.
 */
import { IsolationForest } from '../anomaly/iforest';
import { LocalOutlierFactor } from '../anomaly/lof';
import { openState, StateWriter, stateFormat } from '../core/state-codec';
import { EdgewiseError } from '../errors';

/** A model `train` can fit. */
export type ModelKind = 'isolation-forest' | 'lof' | 'robust-gaussian' | 'ols' | 'logistic';
/** Every `ModelKind`. */
export const MODEL_KINDS: readonly ModelKind[] = [
  'isolation-forest',
  'lof',
  'robust-gaussian',
  'ols',
  'logistic',
];

/** The header of a serialized model: kind, width and the hash of its feature spec. */
export interface ModelHeader {
  kind: ModelKind;
  dims: number;
  specHash: string;
  columns: readonly string[];
  params: Record<string, unknown>;
}

/** A trained model: one score per row (anomaly score, prediction or probability). */
export interface Model {
  readonly header: ModelHeader;
  score(x: Float64Array, options: { dims: number }): Float64Array;
  serialize(): Uint8Array;
  dispose(): void;
}

const FORMAT = stateFormat('Edgewise model', 'EWML', 1, {
  where: 'deserializeModel',
  versionWidth: 4,
  minLength: 12,
  inputCode: 'CORRUPT_STATE',
});

function encode(header: ModelHeader, payload: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  return new StateWriter(FORMAT, 12 + h.length + payload.length)
    .u32(h.length)
    .raw(h)
    .raw(payload)
    .finish();
}

function f64Bytes(a: Float64Array): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}
function bytesF64(b: Uint8Array, where: string): Float64Array {
  if (b.length % 8 !== 0)
    throw new EdgewiseError('CORRUPT_STATE', `${where}: payload length is not a multiple of 8.`);
  return new Float64Array(b.slice().buffer);
}

function checkRows(x: Float64Array, d: number, model: number, where: string): number {
  if (d !== model)
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: the model was trained on dims = ${model}; got dims = ${d}.`,
    );
  if (!(x instanceof Float64Array) || x.length % d !== 0)
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `${where}: pass a row-major Float64Array whose length is a multiple of dims = ${d}.`,
    );
  return x.length / d;
}

/** One score per row of `x` (checked against the model's `d`): `f(offset of the row)`. */
function scoreRows(
  x: Float64Array,
  o: { dims: number },
  d: number,
  f: (at: number) => number,
): Float64Array {
  const n = checkRows(x, o.dims, d, 'Model.score');
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = f(i * d);
  return s;
}

class ForestModel implements Model {
  constructor(
    readonly header: ModelHeader,
    readonly forest: IsolationForest,
  ) {}
  score(x: Float64Array, o: { dims: number }): Float64Array {
    checkRows(x, o.dims, this.header.dims, 'Model.score');
    return this.forest.score(x, o);
  }
  serialize(): Uint8Array {
    return encode(this.header, this.forest.serialize());
  }
  dispose(): void {
    this.forest.dispose();
  }
}

export class LofModel implements Model {
  readonly #lof: LocalOutlierFactor;
  constructor(
    readonly header: ModelHeader,
    readonly train: Float64Array,
  ) {
    this.#lof = new LocalOutlierFactor({ k: Number(header.params.k ?? 20), novelty: true }).fit(
      train,
      {
        dims: header.dims,
      },
    );
  }
  score(x: Float64Array, o: { dims: number }): Float64Array {
    checkRows(x, o.dims, this.header.dims, 'Model.score');
    return this.#lof.score(x, o);
  }
  /** LOF of the training rows themselves (each excluded from its own neighbours). */
  trainingScores(): Float64Array {
    return this.#lof.scores.slice();
  }
  serialize(): Uint8Array {
    return encode(this.header, f64Bytes(this.train));
  }
  dispose(): void {}
}

/** Per feature median and MAD (scaled by 1.4826); score = sqrt(mean_j z_j^2). */
class RobustGaussianModel implements Model {
  constructor(
    readonly header: ModelHeader,
    readonly center: Float64Array,
    readonly scale: Float64Array,
  ) {}
  score(x: Float64Array, o: { dims: number }): Float64Array {
    const d = this.header.dims;
    return scoreRows(x, o, d, (at) => {
      let acc = 0;
      for (let j = 0; j < d; j++) {
        const z = (x[at + j] - this.center[j]) / this.scale[j];
        acc += z * z;
      }
      return Math.sqrt(acc / d);
    });
  }
  serialize(): Uint8Array {
    const p = new Float64Array(2 * this.header.dims);
    p.set(this.center);
    p.set(this.scale, this.header.dims);
    return encode(this.header, f64Bytes(p));
  }
  dispose(): void {}
}

/** Linear (ols: prediction) or logistic (probability) model: coefficients [intercept, b1..bd]. */
class LinearModel implements Model {
  constructor(
    readonly header: ModelHeader,
    readonly coef: Float64Array,
  ) {}
  score(x: Float64Array, o: { dims: number }): Float64Array {
    const d = this.header.dims;
    const logistic = this.header.kind === 'logistic';
    return scoreRows(x, o, d, (at) => {
      let eta = this.coef[0];
      for (let j = 0; j < d; j++) eta += this.coef[j + 1] * x[at + j];
      return logistic ? 1 / (1 + Math.exp(-eta)) : eta;
    });
  }
  serialize(): Uint8Array {
    return encode(this.header, f64Bytes(this.coef));
  }
  dispose(): void {}
}

export function median(a: Float64Array): number {
  const s = Float64Array.from(a).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** @internal builds a model of `kind` from parts (used by training). */
export function makeModel(
  header: ModelHeader,
  parts: {
    forest?: IsolationForest;
    train?: Float64Array;
    center?: Float64Array;
    scale?: Float64Array;
    coef?: Float64Array;
  },
): Model {
  switch (header.kind) {
    case 'isolation-forest':
      return new ForestModel(header, parts.forest as IsolationForest);
    case 'lof':
      return new LofModel(header, parts.train as Float64Array);
    case 'robust-gaussian':
      return new RobustGaussianModel(
        header,
        parts.center as Float64Array,
        parts.scale as Float64Array,
      );
    default:
      return new LinearModel(header, parts.coef as Float64Array);
  }
}

/** Reads a model back from `Model.serialize()` bytes. */
export function deserializeModel(bytes: Uint8Array): Model {
  const where = FORMAT.where;
  const { reader } = openState(bytes, FORMAT);
  const hl = reader.u32();
  if (hl > reader.remaining)
    throw new EdgewiseError('CORRUPT_STATE', `${where}: truncated header.`);
  let header: ModelHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(reader.raw(hl))) as ModelHeader;
  } catch (cause) {
    throw new EdgewiseError('CORRUPT_STATE', `${where}: the header is not valid JSON.`, { cause });
  }
  if (!MODEL_KINDS.includes(header.kind) || !Number.isInteger(header.dims) || header.dims < 1)
    throw new EdgewiseError('CORRUPT_STATE', `${where}: unknown model kind or dims in the header.`);
  const payload = reader.raw(reader.remaining);
  const d = header.dims;
  switch (header.kind) {
    case 'isolation-forest':
      return new ForestModel(header, IsolationForest.deserialize(payload.slice()));
    case 'lof':
      return new LofModel(header, bytesF64(payload, where));
    case 'robust-gaussian': {
      const p = bytesF64(payload, where);
      if (p.length !== 2 * d)
        throw new EdgewiseError(
          'CORRUPT_STATE',
          `${where}: robust-gaussian payload has the wrong size.`,
        );
      return new RobustGaussianModel(header, p.slice(0, d), p.slice(d));
    }
    default: {
      const c = bytesF64(payload, where);
      if (c.length !== d + 1)
        throw new EdgewiseError(
          'CORRUPT_STATE',
          `${where}: ${header.kind} payload has the wrong size.`,
        );
      return new LinearModel(header, c);
    }
  }
}
