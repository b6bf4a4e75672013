/**
 * Saved-state checks shared by every `deserialize`: a state is accepted only if
 * writing it again gives the same bytes (so nothing in the input was ignored,
 * repaired or left over), and only finite numbers where the data can only be finite.
 */
import { EdgewiseError } from '../errors';

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
