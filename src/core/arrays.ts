/**
 * Input conversion shared by every family: the one place where a caller's
 * numbers (a `Float64Array`, another numeric typed array, or a number array)
 * become the `Float64Array` the kernels and detectors compute on.
 */
import { describeValue, EdgewiseError } from '../errors';

/**
 * Returns `x` as a `Float64Array`: the same array (no copy) when it is one,
 * a converted copy of any other numeric typed array or of an array of numbers.
 * Throws `INVALID_ARGUMENT` naming `where` and `name` for anything else (a
 * `DataView`, a `BigInt64Array`, an array with a non-number element, ...).
 * Values are not checked for finiteness: each caller applies its own policy.
 */
export function toFloat64(x: unknown, where: string, name = 'x'): Float64Array {
  if (x instanceof Float64Array) return x;
  if (
    ArrayBuffer.isView(x) &&
    !(x instanceof DataView) &&
    !(x instanceof BigInt64Array) &&
    !(x instanceof BigUint64Array)
  ) {
    return Float64Array.from(x as unknown as ArrayLike<number>);
  }
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      if (typeof x[i] !== 'number') {
        throw new EdgewiseError(
          'INVALID_ARGUMENT',
          `${where}: ${name}[${i}] is ${describeValue(x[i])}; pass numbers only.`,
        );
      }
    }
    return Float64Array.from(x as number[]);
  }
  throw new EdgewiseError(
    'INVALID_ARGUMENT',
    `${where}: ${name} must be a Float64Array, another numeric typed array or an array of numbers, got ${describeValue(x)}.`,
  );
}

type Transferable = ArrayBuffer & { transfer?: () => ArrayBuffer };

/**
 * Moves `buf`'s memory to a new ArrayBuffer object without copying and
 * detaches `buf`: every view of the old object then has length 0 (reads give
 * `undefined`, `slice`/iteration throw), so code still holding it cannot
 * read data written later through the new one. Uses
 * `ArrayBuffer.prototype.transfer` where present, else a transferring
 * `structuredClone` (no copy either). Returns `undefined` when neither is
 * available or `buf` is already detached (e.g. the caller posted it to a
 * worker): the caller then allocates new memory.
 */
export function moveBuffer(buf: ArrayBuffer): ArrayBuffer | undefined {
  if (buf.byteLength === 0) return undefined;
  const t = buf as Transferable;
  if (typeof t.transfer === 'function') return t.transfer();
  if (typeof structuredClone !== 'function') return undefined;
  return structuredClone(buf, { transfer: [buf] });
}
