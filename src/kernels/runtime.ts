/**
 * The WebAssembly kernel runtime: the only code that touches WebAssembly memory.
 *
 * - The module is one file, `edgewise.wasm`, next to the code that loads it
 *   (a `new URL()` of './edgewise.wasm' relative to `import.meta.url`, which Vite, webpack 5,
 *   Rollup and browsers resolve): fetched and compiled while it downloads
 *   (`WebAssembly.compileStreaming`) in browsers, read from disk in Node. A
 *   page and its workers share the one download (HTTP cache).
 * - `loadKernels()` instantiates it once per JS realm. This module has no
 *   top-level await, so worker bundles (which bundlers build as classic
 *   scripts by default) can contain it; the public entry points await it
 *   through `./wasm` (see there), and worker services await `loadKernels()`
 *   before their first kernel call.
 * - Callers' batches are copied into one reusable, 16-byte aligned staging area
 *   in chunks; each chunk is one boundary call, never one call per value.
 * - Views of `memory.buffer` are re-created whenever memory has grown.
 */
import { describeValue, EdgewiseError } from '../errors';

/** The kernel module's WebAssembly exports (its memory, allocator and kernels). */
export interface WasmExports {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  moments_init(state: number): void;
  moments_push(state: number, ptr: number, len: number): number;
  moments_merge(dst: number, src: number): void;
  readonly [name: string]: unknown;
}

/**
 * Where the kernel module comes from: a URL (string or `URL`; `file:` URLs are
 * read from disk in Node), its bytes, a compiled `WebAssembly.Module`, or a
 * `Response` (e.g. `fetch(url)`).
 */
export type KernelsSource =
  | string
  | URL
  | ArrayBuffer
  | ArrayBufferView
  | WebAssembly.Module
  | Response
  | PromiseLike<Response>;

/** Where `loadKernels()` looks by default: the `edgewise.wasm` shipped beside this code. */
export function defaultKernelsUrl(): URL {
  return new URL('./edgewise.wasm', import.meta.url);
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

async function readFileUrl(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  // A computed specifier: browser bundles never see (or warn about) node:fs.
  const specifier = 'node:fs/promises';
  const fs = (await import(
    /* @vite-ignore */ /* webpackIgnore: true */ specifier
  )) as typeof import('node:fs/promises');
  const bytes = await fs.readFile(url);
  return new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength);
}

async function compileResponse(res: Response, where: string): Promise<WebAssembly.Module> {
  if (!res.ok) {
    throw new EdgewiseError(
      'WASM_UNAVAILABLE',
      `${where} answered HTTP ${res.status}; serve edgewise.wasm there or pass loadKernels({ url }) / ({ module }).`,
    );
  }
  if (typeof WebAssembly.compileStreaming === 'function') {
    try {
      // Needs Content-Type: application/wasm; falls back below when a server sends another.
      return await WebAssembly.compileStreaming(res.clone());
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
    }
  }
  return WebAssembly.compile(await res.arrayBuffer());
}

async function compileSource(source: KernelsSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    return WebAssembly.compile(source as BufferSource);
  }
  if (typeof source === 'string' || source instanceof URL) {
    const base = typeof location !== 'undefined' ? location.href : undefined;
    const url = new URL(source, base);
    if (url.protocol === 'file:' && isNode()) {
      return WebAssembly.compile(await readFileUrl(url));
    }
    return compileResponse(await fetch(url), url.href);
  }
  const res = await source;
  return compileResponse(res, res.url || 'the Response');
}

let loading: Promise<WasmExports> | undefined;
let stagingPtr = 0;
/**
 * The instantiated module's exports as a live binding (undefined until
 * `loadKernels()` finishes). Kernel classes import it through `./wasm`.
 */
export let wasmLive: WasmExports = undefined as unknown as WasmExports;

async function instantiate(source: KernelsSource): Promise<WasmExports> {
  if (typeof WebAssembly === 'undefined') {
    throw new EdgewiseError(
      'WASM_UNAVAILABLE',
      'WebAssembly is not available in this JavaScript environment; Edgewise kernels need it.',
    );
  }
  const imports = {
    env: {
      abort(_msg: number, _file: number, line: number, col: number): never {
        throw new EdgewiseError('WASM_ABORT', `WebAssembly kernel aborted at ${line}:${col}`);
      },
    },
  };
  let module: WebAssembly.Module;
  try {
    module = await compileSource(source);
  } catch (cause) {
    const where = typeof source === 'string' || source instanceof URL ? ` from ${source}` : '';
    throw new EdgewiseError(
      'WASM_UNAVAILABLE',
      `Could not load the Edgewise WebAssembly module${where} (${cause instanceof Error ? cause.message : String(cause)}). ` +
        'Serve edgewise.wasm beside the Edgewise code (bundlers copy it), or pass its URL or ' +
        "bytes to loadKernels(); with a strict CSP allow 'wasm-unsafe-eval'. It needs " +
        'WebAssembly SIMD (Chrome 91+, Firefox 89+, Safari 16.4+, Node 16.4+).',
      { cause },
    );
  }
  try {
    const instance = await WebAssembly.instantiate(module, imports);
    return instance.exports as unknown as WasmExports;
  } catch (cause) {
    throw new EdgewiseError(
      'WASM_UNAVAILABLE',
      'Could not instantiate the Edgewise WebAssembly module. It needs WebAssembly SIMD ' +
        '(Chrome 91+, Firefox 89+, Safari 16.4+, Node 16.4+).',
      { cause },
    );
  }
}

/**
 * Loads and instantiates the kernel module (once per JS realm; later calls
 * return the same promise). The public entry points (`edgewise`,
 * `edgewise/kernels`, ...) have already awaited it when your code runs, and
 * the workers Edgewise creates await it themselves: call it only to load from
 * somewhere else (`source`: a URL, bytes, a compiled module or a Response;
 * default: `edgewise.wasm` beside this code) before anything else loads it.
 * A failed load can be retried.
 */
export function loadKernels(source: KernelsSource = defaultKernelsUrl()): Promise<WasmExports> {
  loading ??= instantiate(source).then(
    (w) => {
      wasmLive = w;
      f64 = new Float64Array(w.memory.buffer);
      u8 = new Uint8Array(w.memory.buffer);
      stagingPtr = allocBytes(STAGING_VALUES * 8);
      return w;
    },
    (e) => {
      loading = undefined;
      throw e;
    },
  );
  return loading;
}

/** True once `loadKernels()` has finished in this JS realm. */
export function kernelsLoaded(): boolean {
  return wasmLive !== undefined;
}

/** The instantiated module; throws a clear error before `loadKernels()` finished. */
function need(): WasmExports {
  if (wasmLive === undefined) {
    throw new EdgewiseError(
      'WASM_UNAVAILABLE',
      'The Edgewise WebAssembly kernels are not loaded yet in this JS realm: `await loadKernels()` ' +
        '(from edgewise/kernels) first. The public entry points do this on import; code built ' +
        'from internal modules (e.g. a custom worker) must do it itself.',
    );
  }
  return wasmLive;
}

/** Which backend the kernels run on (reported by runtimes and workers). */
export const KERNEL_BACKEND = 'wasm-simd' as const;

let f64: Float64Array = new Float64Array(0);
let u8: Uint8Array = new Uint8Array(0);

/** A Float64Array over all of WASM memory, re-created if memory grew. */
export function heapF64(): Float64Array {
  const buffer = need().memory.buffer;
  if (f64.buffer !== buffer) {
    f64 = new Float64Array(buffer);
    u8 = new Uint8Array(buffer);
  }
  return f64;
}

/** A Uint8Array over all of WASM memory, re-created if memory grew. */
export function heapU8(): Uint8Array {
  heapF64();
  return u8;
}

/** Allocates `bytes` zeroed bytes of WASM memory (16-byte aligned). */
export function allocBytes(bytes: number): number {
  const w = need();
  let ptr: number;
  try {
    ptr = w.alloc(bytes);
  } catch (cause) {
    throw new EdgewiseError(
      'OUT_OF_MEMORY',
      `WebAssembly memory could not grow to allocate ${bytes} bytes; dispose() kernel objects ` +
        'you no longer need.',
      { cause },
    );
  }
  return ptr;
}

export function freeBytes(ptr: number): void {
  need().free(ptr);
}

/** Number of f64 values staged per boundary call (64 KiB: stays in L1/L2). */
export const STAGING_VALUES = 8192;

/** Values accepted by batch `push` methods. */
export type NumericInput = Float64Array | Float32Array | ArrayLike<number> | readonly number[];

function isNumericTypedArray(v: unknown): v is Float64Array | Float32Array | Int32Array {
  return (
    ArrayBuffer.isView(v) &&
    !(v instanceof DataView) &&
    !(v instanceof BigInt64Array) &&
    !(v instanceof BigUint64Array)
  );
}

/**
 * Validates `values` completely (so a bad batch changes nothing), then stages
 * it chunk by chunk and calls `fn(ptr, len)` once per chunk.
 *
 * `inPlace`: a Float64Array that already lies in WebAssembly memory is passed
 * to `fn` where it is, without the staging copy. Only for kernels that write
 * nothing but their own state block (no shared scratch or output area the
 * input could alias).
 */
export function forEachChunk(
  values: NumericInput | number,
  where: string,
  fn: (ptr: number, len: number) => void,
  inPlace = false,
): void {
  if (typeof values === 'number') {
    heapF64()[stagingPtr >>> 3] = values;
    fn(stagingPtr, 1);
    return;
  }
  if (isNumericTypedArray(values)) {
    const src = values as unknown as Float64Array;
    const n = src.length;
    if (inPlace && src instanceof Float64Array && src.buffer === need().memory.buffer) {
      // Addresses in linear memory stay valid even if a call grows memory.
      const base = src.byteOffset;
      for (let off = 0; off < n; off += STAGING_VALUES) {
        fn(base + off * 8, Math.min(STAGING_VALUES, n - off));
      }
      return;
    }
    for (let off = 0; off < n; off += STAGING_VALUES) {
      const len = Math.min(STAGING_VALUES, n - off);
      heapF64().set(off === 0 && len === n ? src : src.subarray(off, off + len), stagingPtr >>> 3);
      fn(stagingPtr, len);
    }
    return;
  }
  if (Array.isArray(values)) {
    const n = values.length;
    for (let i = 0; i < n; i++) {
      if (typeof values[i] !== 'number') {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `${where}: element ${i} is ${describeValue(values[i])}; pass numbers only ` +
            '(NaN and ±Infinity are accepted and counted in `rejected`).',
        );
      }
    }
    for (let off = 0; off < n; off += STAGING_VALUES) {
      const len = Math.min(STAGING_VALUES, n - off);
      const h = heapF64();
      const base = stagingPtr >>> 3;
      for (let i = 0; i < len; i++) h[base + i] = values[off + i];
      fn(stagingPtr, len);
    }
    return;
  }
  throw new EdgewiseError(
    'INVALID_ARGUMENT',
    `${where}: expected a Float64Array, another numeric typed array, an array of numbers or a ` +
      `number, got ${describeValue(values)}.`,
  );
}

let pairStagingPtr = 0;

/**
 * Stages two batches (already validated; y at least as long as x) chunk by
 * chunk, x in the shared staging area and y in a second one, and calls
 * `fn(px, py, len)` once per chunk over the first `x.length` pairs: the input
 * loop of the paired kernels (co-moments, residuals).
 */
export function forEachPairChunk(
  x: Float64Array | Float32Array,
  y: Float64Array | Float32Array,
  fn: (px: number, py: number, len: number) => void,
): void {
  if (pairStagingPtr === 0) pairStagingPtr = allocBytes(STAGING_VALUES * 8);
  const n = x.length;
  for (let off = 0; off < n; off += STAGING_VALUES) {
    const len = Math.min(STAGING_VALUES, n - off);
    const whole = len === n && y.length === n;
    const h = heapF64();
    h.set(whole ? x : x.subarray(off, off + len), stagingPtr >>> 3);
    h.set(whole ? y : y.subarray(off, off + len), pairStagingPtr >>> 3);
    fn(stagingPtr, pairStagingPtr, len);
  }
}

interface Held {
  ptr: number;
  release?: (ptr: number) => void;
}

const finalizer = new FinalizationRegistry<Held>((held) => {
  // Backstop only: objects should be disposed explicitly.
  held.release?.(held.ptr);
  need().free(held.ptr);
});

/**
 * Base class of every kernel object that owns a block of WASM memory.
 * `dispose()` frees it; a FinalizationRegistry frees forgotten blocks.
 */
export abstract class WasmObject {
  #ptr: number;
  readonly #kind: string;
  readonly #release?: (ptr: number) => void;

  /**
   * `release(ptr)`, if given, frees the blocks a state owns (kernels whose
   * state grows, e.g. sketch stores) before the state block itself is freed.
   */
  protected constructor(kind: string, bytes: number, release?: (ptr: number) => void) {
    this.#kind = kind;
    this.#release = release;
    this.#ptr = allocBytes(bytes);
    finalizer.register(this, { ptr: this.#ptr, release }, this);
  }

  /** Pointer to this object's state block; throws once disposed. */
  protected get ptr(): number {
    if (this.#ptr === 0) {
      throw new EdgewiseError(
        'DISPOSED',
        `This ${this.#kind} was disposed; create a new one (or deserialize a saved state).`,
      );
    }
    return this.#ptr;
  }

  /** f64 slot `i` of this object's state block (re-reads the view after memory growth). */
  protected slot(i: number): number {
    return heapF64()[(this.ptr >>> 3) + i];
  }

  /** True after `dispose()`. */
  get disposed(): boolean {
    return this.#ptr === 0;
  }

  /** Frees the WASM memory behind this object. Safe to call twice. */
  dispose(): void {
    if (this.#ptr === 0) return;
    finalizer.unregister(this);
    this.#release?.(this.#ptr);
    need().free(this.#ptr);
    this.#ptr = 0;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/**
 * A kernel object whose state block starts with count, sum, min, max and
 * rejected (f64 slots 0-4): QuantileSketch and Histogram.
 */
export abstract class SummaryWasmObject extends WasmObject {
  get count(): number {
    return this.slot(0);
  }
  get sum(): number {
    return this.slot(1);
  }
  get min(): number {
    return this.count === 0 ? Number.NaN : this.slot(2);
  }
  get max(): number {
    return this.count === 0 ? Number.NaN : this.slot(3);
  }
  get rejected(): number {
    return this.slot(4);
  }
}
