/**
 * Saved-state checks shared by every `deserialize`: a state is accepted only if
 * writing it again gives the same bytes (so nothing in the input was ignored,
 * repaired or left over), and only finite numbers where the data can only be finite.
 */
import { EdgewiseError } from '../errors';
import { heapF64 } from './runtime';

/** Returns `obj` if `obj.serialize()` equals `bytes`; otherwise disposes it and throws CORRUPT_STATE. */
export function ensureRoundTrip<T extends { serialize(): Uint8Array; dispose(): void }>(
  obj: T,
  bytes: Uint8Array,
  where: string,
): T {
  const again = obj.serialize();
  let same = again.length === bytes.length;
  for (let i = 0; same && i < again.length; i++) same = again[i] === bytes[i];
  if (!same) {
    obj.dispose();
    throw new EdgewiseError(
      'CORRUPT_STATE',
      `${where}: these bytes are not a state this version wrote (damaged, or fields out of range); ` +
        'rebuild the state from data.',
    );
  }
  return obj;
}

/** True when every value is a finite number. */
export function allFinite(...values: number[]): boolean {
  for (const v of values) if (!Number.isFinite(v)) return false;
  return true;
}

/**
 * Restores the summary slots a SummaryWasmObject keeps first: count, sum,
 * min, max, rejected (min and max are +-Infinity while the count is 0).
 */
export function setSummarySlots(
  ptr: number,
  n: number,
  sum: number,
  min: number,
  max: number,
  rejected: number,
): void {
  const h = heapF64();
  const b = ptr >>> 3;
  h[b] = n;
  h[b + 1] = sum;
  h[b + 2] = n > 0 ? min : Number.POSITIVE_INFINITY;
  h[b + 3] = n > 0 ? max : Number.NEGATIVE_INFINITY;
  h[b + 4] = rejected;
}
