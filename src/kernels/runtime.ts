/**
 * The WebAssembly kernel runtime: the only code that touches WebAssembly memory.
 *
 * - The module is inlined (zlib-deflated, base64), inflated with the platform's
 *   `DecompressionStream` and instantiated once per JS realm with a top-level await, so `import { Moments } from 'edgewise/kernels'` is ready
 *   to use in Node, on a page's main thread and inside a Web Worker, with no
 *   bundler configuration and no network fetch.
 * - Callers' batches are copied into one reusable, 16-byte aligned staging area
 *   in chunks; each chunk is one boundary call, never one call per value.
 * - Views of `memory.buffer` are re-created whenever memory has grown.
 */
import { describeValue, EdgewiseError } from '../errors';
import { WASM_BYTES, WASM_DEFLATE_BASE64 } from './wasm-binary.generated';

export interface WasmExports {
  readonly memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  free(ptr: number): void;
  moments_init(state: number): void;
  moments_push(state: number, ptr: number, len: number): number;
  moments_merge(dst: number, src: number): void;
  readonly [name: string]: unknown;
}

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Inflates the inlined module (zlib format) with the platform's DecompressionStream. */
export async function inflateModule(b64: string, bytes: number): Promise<ArrayBuffer> {
  const stream = new Blob([decodeBase64(b64)])
    .stream()
    .pipeThrough(new DecompressionStream('deflate'));
  const out = await new Response(stream).arrayBuffer();
  if (out.byteLength !== bytes) {
    throw new Error(`inflated ${out.byteLength} bytes, expected ${bytes}`);
  }
  return out;
}

async function instantiate(): Promise<WasmExports> {
  if (typeof WebAssembly === 'undefined') {
    throw new EdgewiseError(
      'WASM_UNAVAILABLE',
      'WebAssembly is not available in this JavaScript environment; Edgewise kernels need it.',
    );
  }
  if (typeof DecompressionStream === 'undefined') {
    throw new EdgewiseError(
      'WASM_UNAVAILABLE',
      'DecompressionStream is not available in this JavaScript environment; Edgewise needs it ' +
        'to unpack its WebAssembly module (Chrome 80+, Firefox 113+, Safari 16.4+, Node 18+).',
    );
  }
  const imports = {
    env: {
      abort(_msg: number, _file: number, line: number, col: number): never {
        throw new EdgewiseError('WASM_ABORT', `WebAssembly kernel aborted at ${line}:${col}`);
      },
    },
  };
  try {
    const module = await WebAssembly.compile(await inflateModule(WASM_DEFLATE_BASE64, WASM_BYTES));
    const instance = await WebAssembly.instantiate(module, imports);
    return instance.exports as unknown as WasmExports;
  } catch (cause) {
    throw new EdgewiseError(
      'WASM_UNAVAILABLE',
      'Could not instantiate the Edgewise WebAssembly module. It needs WebAssembly SIMD ' +
        '(Chrome 91+, Firefox 89+, Safari 16.4+, Node 16.4+); with a strict CSP allow ' +
        "'wasm-unsafe-eval'.",
      { cause },
    );
  }
}

/** The instantiated module (one per JS realm). */
export const wasm: WasmExports = await instantiate();

/** Which backend the kernels run on (reported by runtimes and workers). */
export const KERNEL_BACKEND = 'wasm-simd' as const;

let f64: Float64Array = new Float64Array(wasm.memory.buffer);
let u8: Uint8Array = new Uint8Array(wasm.memory.buffer);

/** A Float64Array over all of WASM memory, re-created if memory grew. */
export function heapF64(): Float64Array {
  if (f64.buffer !== wasm.memory.buffer) {
    f64 = new Float64Array(wasm.memory.buffer);
    u8 = new Uint8Array(wasm.memory.buffer);
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
  let ptr: number;
  try {
    ptr = wasm.alloc(bytes);
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
  wasm.free(ptr);
}

/** Number of f64 values staged per boundary call (64 KiB: stays in L1/L2). */
export const STAGING_VALUES = 8192;
const stagingPtr = allocBytes(STAGING_VALUES * 8);

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
 */
export function forEachChunk(
  values: NumericInput | number,
  where: string,
  fn: (ptr: number, len: number) => void,
): void {
  if (typeof values === 'number') {
    heapF64()[stagingPtr >>> 3] = values;
    fn(stagingPtr, 1);
    return;
  }
  if (isNumericTypedArray(values)) {
    const src = values as unknown as Float64Array;
    const n = src.length;
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

interface Held {
  ptr: number;
  release?: (ptr: number) => void;
}

const finalizer = new FinalizationRegistry<Held>((held) => {
  // Backstop only: objects should be disposed explicitly.
  held.release?.(held.ptr);
  wasm.free(held.ptr);
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
    wasm.free(this.#ptr);
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
