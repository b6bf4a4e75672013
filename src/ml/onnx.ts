/**
 * ONNX inference with onnxruntime-web, loaded lazily (dynamic import, never in
 * the core bundle). Execution providers are tried one at a time along the
 * list, so the one that ran is known (`model.provider`) and failures of the
 * others are reported (`model.fallbacks`). Rows go in as row-major Float64Array
 * batches (n x dims) and are converted to the model's input type.
 */

import { describeValue, EdgewiseError } from '../errors';
import { sha256Hex, verifySha256 } from './hash';

/** An onnxruntime-web execution provider. */
export type ExecutionProvider = 'webgpu' | 'wasm' | 'cpu' | 'webgl' | 'webnn';

/** The parts of an onnxruntime-web tensor Edgewise uses. */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type: string;
  dispose(): void;
}

/** The parts of an onnxruntime-web `InferenceSession` Edgewise uses. */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly {
    name: string;
    isTensor: boolean;
    type?: string;
    shape?: readonly (number | string)[];
  }[];
  run(
    feeds: Record<string, OrtTensor>,
    fetches?: readonly string[],
  ): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/**
 * The parts of the onnxruntime-web module Edgewise uses (structural, so the
 * package's own types are not needed to compile against Edgewise's).
 */
export interface OrtModule {
  env: { wasm: { numThreads?: number; wasmPaths?: unknown } };
  InferenceSession: {
    create(model: Uint8Array, options?: { executionProviders?: string[] }): Promise<OrtSession>;
  };
  Tensor: new (
    type: 'float32' | 'float64',
    data: Float32Array | Float64Array,
    dims: readonly number[],
  ) => OrtTensor;
}

/** onnxruntime-web environment settings applied before a session is created. */
export interface OrtEnvOptions {
  /** `ort.env.wasm.wasmPaths` (a prefix URL or `{ wasm, mjs }` URLs; Vite: from `?url` imports). */
  wasmPaths?: string | { wasm?: string; mjs?: string };
  /** `ort.env.wasm.numThreads` (default 1: no cross-origin isolation needed). */
  numThreads?: number;
}

/**
 * Options of `loadOnnx`: providers in order, integrity hash, input/output names, scoring and
 * batching.
 */
export interface LoadOnnxOptions extends OrtEnvOptions {
  /** Tried in order; the first that creates a session runs (default ['wasm']). */
  executionProviders?: ExecutionProvider[];
  /** Expected SHA-256 of the model bytes: hex, or SRI form 'sha256-<base64>'. A mismatch is refused. */
  sha256?: string;
  /** Input to feed (default: the first). */
  input?: string;
  /** Output to read (default: the first). */
  output?: string;
  /**
   * 'output' (default): the score is the output (its first column);
   * 'reconstruction': the model is an autoencoder and the score is the mean
   * squared error between input row and output row.
   */
  score?: 'output' | 'reconstruction';
  /** Element type of the input tensor (default: the model's, else float32). */
  inputType?: 'float32' | 'float64';
  /** Rows per session.run (default 4096). */
  batchSize?: number;
  /** Feature count, used for warm-up when the model's input shape does not say it. */
  dims?: number;
  /** Run one batch of zeros at load (default true when dims is known). */
  warmup?: boolean;
  /** The onnxruntime-web module to use (default: `await import('onnxruntime-web')`). */
  ort?: OrtModule;
}

/** A model's output for a batch, row-major. */
export interface OnnxRunResult {
  /** Row-major output, n x outDims. */
  data: Float64Array;
  n: number;
  dims: number;
}

/**
 * What loaded: the provider that runs and why the others failed, and the model's inputs and
 * outputs.
 */
export interface OnnxModelInfo {
  provider: ExecutionProvider;
  fallbacks: { provider: ExecutionProvider; error: string }[];
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputType: 'float32' | 'float64';
  dims: number | undefined;
  sha256: string;
  warmupMs: number;
}

let ortPromise: Promise<OrtModule> | undefined;

/**
 * The onnxruntime-web module, imported on first use. It is an optional peer
 * dependency of Edgewise: a missing package is a `MISSING_DEPENDENCY` error
 * that says how to install it.
 */
export function importOrt(): Promise<OrtModule> {
  ortPromise ??= import('onnxruntime-web').then(
    (m) => ((m as { default?: OrtModule }).default ?? m) as unknown as OrtModule,
    (cause: unknown) => {
      ortPromise = undefined;
      throw new EdgewiseError(
        'MISSING_DEPENDENCY',
        "ONNX inference needs the package 'onnxruntime-web' (an optional peer dependency of " +
          'edgewise): run `npm install onnxruntime-web`, or pass your own module as { ort }.',
        { cause },
      );
    },
  );
  return ortPromise;
}

function configure(ort: OrtModule, o: OrtEnvOptions): void {
  ort.env.wasm.numThreads = o.numThreads ?? 1;
  if (o.wasmPaths !== undefined) ort.env.wasm.wasmPaths = o.wasmPaths;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (cause) {
    throw new EdgewiseError('NOT_FOUND', `loadOnnx: could not fetch ${url}.`, { cause });
  }
  if (!res.ok)
    throw new EdgewiseError('NOT_FOUND', `loadOnnx: fetching ${url} returned HTTP ${res.status}.`);
  return new Uint8Array(await res.arrayBuffer());
}

/** An ONNX model in an onnxruntime-web session on this thread (`loadOnnx`). */
export class OnnxModel {
  readonly info: OnnxModelInfo;
  readonly #ort: OrtModule;
  #session: OrtSession | undefined;
  readonly #input: string;
  readonly #output: string;
  readonly #score: 'output' | 'reconstruction';
  readonly #batch: number;

  private constructor(
    ort: OrtModule,
    session: OrtSession,
    info: OnnxModelInfo,
    o: LoadOnnxOptions,
  ) {
    this.#ort = ort;
    this.#session = session;
    this.info = info;
    this.#input = o.input ?? session.inputNames[0];
    this.#output = o.output ?? session.outputNames[0];
    this.#score = o.score ?? 'output';
    this.#batch = o.batchSize ?? 4096;
  }

  get provider(): ExecutionProvider {
    return this.info.provider;
  }

  /** @internal */
  static async create(source: Uint8Array | string, o: LoadOnnxOptions = {}): Promise<OnnxModel> {
    const bytes = typeof source === 'string' ? await fetchBytes(source) : source;
    if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `loadOnnx: pass model bytes (Uint8Array) or a URL, got ${describeValue(source)}.`,
      );
    }
    const sha256 = o.sha256
      ? await verifySha256(bytes, o.sha256, 'loadOnnx')
      : await sha256Hex(bytes);
    const batch = o.batchSize ?? 4096;
    if (!Number.isInteger(batch) || batch < 1)
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `loadOnnx: batchSize must be a positive integer, got ${describeValue(batch)}.`,
      );
    const ort = o.ort ?? (await importOrt());
    configure(ort, o);
    const eps = o.executionProviders ?? ['wasm'];
    if (!Array.isArray(eps) || eps.length === 0)
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        "loadOnnx: executionProviders must be a non-empty list such as ['webgpu', 'wasm'].",
      );
    const fallbacks: { provider: ExecutionProvider; error: string }[] = [];
    let session: OrtSession | undefined;
    let provider: ExecutionProvider | undefined;
    for (const ep of eps) {
      try {
        if (ep === 'webgpu' && typeof navigator !== 'undefined' && !('gpu' in navigator))
          throw new EdgewiseError('GPU_UNAVAILABLE', 'navigator.gpu is not available');
        if (ep === 'webgpu' && typeof navigator === 'undefined')
          throw new EdgewiseError('GPU_UNAVAILABLE', 'WebGPU is not available in this runtime');
        session = await ort.InferenceSession.create(bytes, { executionProviders: [ep] });
        provider = ep;
        break;
      } catch (e) {
        fallbacks.push({ provider: ep, error: e instanceof Error ? e.message : String(e) });
      }
    }
    if (!session || !provider) {
      throw new EdgewiseError(
        'INVALID_STATE',
        `loadOnnx: no execution provider could run the model: ${fallbacks.map((f) => `${f.provider}: ${f.error}`).join('; ')}`,
      );
    }
    const input = o.input ?? session.inputNames[0];
    const output = o.output ?? session.outputNames[0];
    if (!session.inputNames.includes(input) || !session.outputNames.includes(output)) {
      await session.release();
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `loadOnnx: the model has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; '${input}' / '${output}' is not among them.`,
      );
    }
    const meta = session.inputMetadata?.find((m) => m.name === input);
    let inputType: 'float32' | 'float64' = o.inputType ?? 'float32';
    let dims = o.dims;
    if (meta?.isTensor) {
      if (!o.inputType && meta.type === 'float64') inputType = 'float64';
      const last = meta.shape?.[meta.shape.length - 1];
      if (dims === undefined && typeof last === 'number' && last > 0) dims = last;
    }
    const info: OnnxModelInfo = {
      provider,
      fallbacks,
      inputNames: session.inputNames,
      outputNames: session.outputNames,
      inputType,
      dims,
      sha256,
      warmupMs: 0,
    };
    const model = new OnnxModel(ort, session, info, o);
    if ((o.warmup ?? true) && dims !== undefined) {
      const t0 = performance.now();
      await model.run(new Float64Array(dims), { dims });
      info.warmupMs = performance.now() - t0;
    }
    return model;
  }

  #need(): OrtSession {
    if (!this.#session)
      throw new EdgewiseError('DISPOSED', 'OnnxModel: the model was disposed; load it again.');
    return this.#session;
  }

  /** Runs the model on n x dims rows (in batches); returns the selected output, row-major. */
  async run(x: Float64Array, options: { dims: number }): Promise<OnnxRunResult> {
    const session = this.#need();
    const d = options?.dims;
    if (!Number.isInteger(d) || d < 1)
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `OnnxModel.run: pass { dims } (a positive integer), got ${describeValue(d)}.`,
      );
    if (!(x instanceof Float64Array) || x.length % d !== 0)
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `OnnxModel.run: pass a Float64Array whose length is a multiple of dims = ${d}.`,
      );
    if (this.info.dims !== undefined && d !== this.info.dims)
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `OnnxModel.run: the model takes ${this.info.dims} features per row, got dims = ${d}.`,
      );
    const n = x.length / d;
    let out: Float64Array | undefined;
    let od = 0;
    for (let off = 0; off < n; off += this.#batch) {
      const len = Math.min(this.#batch, n - off);
      const slice = x.subarray(off * d, (off + len) * d);
      const tensor =
        this.info.inputType === 'float64'
          ? new this.#ort.Tensor('float64', slice.slice(), [len, d])
          : new this.#ort.Tensor('float32', Float32Array.from(slice), [len, d]);
      let res: Awaited<ReturnType<typeof session.run>>;
      try {
        res = await session.run({ [this.#input]: tensor }, [this.#output]);
      } catch (cause) {
        tensor.dispose();
        throw new EdgewiseError(
          'INVALID_STATE',
          `OnnxModel.run: the model failed on a batch of ${len} x ${d} rows: ${(cause as Error)?.message ?? cause}. ` +
            'Check that the model takes [batch, features] input of this type.',
          { cause },
        );
      }
      const t = res[this.#output];
      const data = t.data as unknown;
      const rows = t.dims[0];
      const width =
        data instanceof Float32Array || data instanceof Float64Array ? data.length / len : 0;
      // One row of output per input row, the same width in every batch: anything
      // else (a [1] scalar, a transposed or pooled output, strings) would give
      // silently wrong or NaN scores.
      if (rows !== len || !Number.isInteger(width) || width < 1 || (out && width !== od)) {
        tensor.dispose();
        t.dispose();
        throw new EdgewiseError(
          'INVALID_STATE',
          `OnnxModel.run: output '${this.#output}' has shape [${t.dims.join(', ')}] (${t.type}) for ${len} input rows; ` +
            'Edgewise needs a float output of shape [rows, k] (one row per input row). Pick another output with { output }.',
        );
      }
      if (!out) {
        od = width;
        out = new Float64Array(n * od);
      }
      out.set(data as Float32Array | Float64Array, off * od);
      tensor.dispose();
      t.dispose();
    }
    return { data: out ?? new Float64Array(0), n, dims: od };
  }

  /** One anomaly score per row: the output's first column, or the reconstruction MSE. */
  async score(x: Float64Array, options: { dims: number }): Promise<Float64Array> {
    const r = await this.run(x, options);
    const s = new Float64Array(r.n);
    if (this.#score === 'reconstruction') {
      const d = options.dims;
      if (r.dims !== d)
        throw new EdgewiseError(
          'INVALID_STATE',
          `OnnxModel.score: reconstruction needs an output of ${d} columns, the model gives ${r.dims}.`,
        );
      for (let i = 0; i < r.n; i++) {
        let ss = 0;
        for (let j = 0; j < d; j++) {
          const e =
            r.data[i * d + j] -
            (this.info.inputType === 'float32' ? Math.fround(x[i * d + j]) : x[i * d + j]);
          ss += e * e;
        }
        s[i] = ss / d;
      }
    } else {
      for (let i = 0; i < r.n; i++) s[i] = r.data[i * r.dims];
    }
    return s;
  }

  async dispose(): Promise<void> {
    const s = this.#session;
    this.#session = undefined;
    await s?.release();
  }
}

/**
 * Loads an ONNX model from bytes or a URL (checked against `sha256` when
 * given) and creates a session on the first execution provider that works.
 *
 * ```ts
 * const m = await loadOnnx('/models/ae.onnx', { executionProviders: ['webgpu', 'wasm'], sha256: 'sha256-…', score: 'reconstruction' });
 * m.provider; // 'webgpu' or 'wasm'
 * const scores = await m.score(X, { dims: 8 });
 * ```
 */
export function loadOnnx(
  source: Uint8Array | string,
  options: LoadOnnxOptions = {},
): Promise<OnnxModel> {
  return OnnxModel.create(source, options);
}
