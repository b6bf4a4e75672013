import { Moments } from './moments';
import { allocBytes, forEachChunk, freeBytes, heapU8 } from './runtime';
import { wasm } from './wasm';

const SLOT_BYTES = 10 * 8; // a Moments state block

/**
 * Many small `Moments` states in one block of WebAssembly memory, addressed by
 * slot number: the partial aggregates of sliding windows, where one
 * `Moments` object (an allocation plus a FinalizationRegistry entry) per
 * partial would cost more than the merges themselves. Merges are the
 * `Moments` kernel's own (`moments_merge`), so a slot holds bit for bit what
 * a `Moments` would. The block doubles when full (slot numbers stay valid);
 * `dispose()` frees it.
 */
export class MomentsPool {
  #base = 0;
  #capacity = 0;
  #free: number[] = [];
  #next = 0;

  constructor(initialSlots = 64) {
    this.#grow(Math.max(1, initialSlots));
  }

  /** Slots in use. */
  get size(): number {
    return this.#next - this.#free.length;
  }

  #grow(capacity: number): void {
    const base = allocBytes(capacity * SLOT_BYTES);
    if (this.#base !== 0) {
      const h = heapU8();
      h.copyWithin(base, this.#base, this.#base + this.#capacity * SLOT_BYTES);
      freeBytes(this.#base);
    }
    this.#base = base;
    this.#capacity = capacity;
  }

  #ptr(slot: number): number {
    return this.#base + slot * SLOT_BYTES;
  }

  /** A slot holding a copy of `m` (or an empty state when `m` is null). */
  alloc(m: Moments | null): number {
    let slot = this.#free.pop();
    if (slot === undefined) {
      if (this.#next === this.#capacity) this.#grow(this.#capacity * 2);
      slot = this.#next++;
    }
    const p = this.#ptr(slot);
    wasm.moments_init(p);
    if (m) wasm.moments_merge(p, m.address);
    return slot;
  }

  /** A slot holding a copy of slot `src`. */
  copy(src: number): number {
    const slot = this.alloc(null);
    wasm.moments_merge(this.#ptr(slot), this.#ptr(src));
    return slot;
  }

  /** Adds a batch of values to slot `slot` (as `Moments.push`: one kernel call per chunk). */
  push(slot: number, values: Float64Array): void {
    forEachChunk(values, 'MomentsPool.push', (ptr, len) => {
      wasm.moments_push(this.#ptr(slot), ptr, len);
    });
  }

  /** A `Moments` holding a copy of slot `slot` (the caller disposes it). */
  toMoments(slot: number): Moments {
    const m = new Moments();
    wasm.moments_merge(m.address, this.#ptr(slot));
    return m;
  }

  /** slot `dst` <- dst (+) slot `src`. */
  merge(dst: number, src: number): void {
    wasm.moments_merge(this.#ptr(dst), this.#ptr(src));
  }

  /** slot `dst` <- dst (+) `m`. */
  mergeMoments(dst: number, m: Moments): void {
    wasm.moments_merge(this.#ptr(dst), m.address);
  }

  /** `into` <- into (+) slot `src`. */
  mergeInto(into: Moments, src: number): void {
    wasm.moments_merge(into.address, this.#ptr(src));
  }

  release(slot: number): void {
    this.#free.push(slot);
  }

  dispose(): void {
    if (this.#base !== 0) freeBytes(this.#base);
    this.#base = 0;
    this.#capacity = 0;
    this.#free = [];
    this.#next = 0;
  }
}
