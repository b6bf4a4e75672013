/**
 * The one versioned binary state codec behind every `serialize()` /
 * `deserialize()` (saved states of kernels, forests and models).
 *
 * Every state starts with an 8-byte little-endian header:
 *   u32 magic (four ASCII letters, e.g. 'EWEM' = 0x4d455745),
 *   then either u16 version + u16 tag (`versionWidth: 2`; the tag is a
 *   format's own small field: a kind, flags or dims) or u32 version
 *   (`versionWidth: 4`, no tag).
 * After it come a format's typed fields, written by `StateWriter` and read by
 * `StateReader`. Reading checks bounds: a read past the end, bad magic or
 * damaged fields throw `EdgewiseError('CORRUPT_STATE')`, an unknown version
 * `UNSUPPORTED_VERSION`, input that is not bytes `INVALID_ARGUMENT` (or the
 * format's `inputCode`).
 *
 * Object snapshots (`snapshot()` / `restore()`, plain objects with a kind and
 * a version) share the same rules through `snapshotHeader` / `checkSnapshot`.
 */
import { describeValue, EdgewiseError, type ErrorCode } from '../errors';

/** The identity of one saved-state format. */
export interface StateFormat {
  /** Type name used in messages ('Ewma'). */
  readonly name: string;
  /** Who reads it, the prefix of every error message ('Ewma.deserialize'). */
  readonly where: string;
  /** u32 magic at offset 0 (little-endian). */
  readonly magic: number;
  /** The version this build writes and reads. */
  readonly version: number;
  /** 2: u16 version + u16 tag at offsets 4 and 6; 4: u32 version at offset 4. */
  readonly versionWidth: 2 | 4;
  /** Shortest acceptable input (default 8, the header). */
  readonly minLength?: number;
  /**
   * Code thrown for input that is not bytes and for input shorter than
   * `minLength`. Unset: not bytes is `INVALID_ARGUMENT`, too short is
   * `CORRUPT_STATE` (bad magic).
   */
  readonly inputCode?: ErrorCode;
}

/**
 * A format whose magic is the four ASCII letters `letters` read as a
 * little-endian u32 ('EWEM' -> 0x4d455745), read by `${name}.deserialize`,
 * with a u16 version and tag unless `options` say otherwise.
 */
export function stateFormat(
  name: string,
  letters: string,
  version: number,
  options: Partial<Omit<StateFormat, 'name' | 'magic' | 'version'>> = {},
): StateFormat {
  if (!/^[\x20-\x7e]{4}$/.test(letters)) {
    throw new EdgewiseError(
      'INVALID_ARGUMENT',
      `stateFormat: the magic must be four ASCII letters, got ${describeValue(letters)}.`,
    );
  }
  let magic = 0;
  for (let i = 3; i >= 0; i--) magic = magic * 256 + letters.charCodeAt(i);
  return { name, where: `${name}.deserialize`, magic, version, versionWidth: 2, ...options };
}

/** Bytes in the state header. */
export const STATE_HEADER_BYTES = 8;

/** A count in a snapshot or state (records, bins, positions): a safe integer >= 0. */
export const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

/** Rounds `n` up to a multiple of 8 (the alignment of f64 fields after variable-length parts). */
export function pad8(n: number): number {
  return (n + 7) & ~7;
}

/** The error of a damaged state: `${where}: ${why}; the bytes were damaged.` */
export function corruptState(where: string, why: string, cause?: unknown): EdgewiseError {
  return new EdgewiseError(
    'CORRUPT_STATE',
    `${where}: ${why}; the bytes were damaged.`,
    cause === undefined ? undefined : { cause },
  );
}

/** Writes a state of a known byte length: the header first, then typed fields in order. */
export class StateWriter {
  readonly bytes: Uint8Array;
  readonly #dv: DataView;
  #at = 0;

  /**
   * Writes the header of `format` into a buffer of `byteLength` bytes
   * (header included); `tag` is the u16 at offset 6 (`versionWidth: 2` only).
   */
  constructor(format: StateFormat, byteLength: number, tag = 0) {
    if (!Number.isInteger(byteLength) || byteLength < STATE_HEADER_BYTES) {
      throw new EdgewiseError(
        'INVALID_ARGUMENT',
        `StateWriter: byteLength must be an integer >= ${STATE_HEADER_BYTES}, got ${describeValue(byteLength)}.`,
      );
    }
    this.bytes = new Uint8Array(byteLength);
    this.#dv = new DataView(this.bytes.buffer);
    this.u32(format.magic);
    if (format.versionWidth === 4) this.u32(format.version);
    else this.u16(format.version).u16(tag);
  }

  /** Offset of the next field. */
  get offset(): number {
    return this.#at;
  }

  #take(n: number): number {
    const at = this.#at;
    if (at + n > this.bytes.length) {
      throw new EdgewiseError(
        'INVALID_STATE',
        `StateWriter: writing ${n} bytes at offset ${at} overruns the ${this.bytes.length}-byte state.`,
      );
    }
    this.#at = at + n;
    return at;
  }

  u16 = (v: number): StateWriter => this.#put(2, (at) => this.#dv.setUint16(at, v, true));
  u32 = (v: number): StateWriter => this.#put(4, (at) => this.#dv.setUint32(at, v, true));
  i32 = (v: number): StateWriter => this.#put(4, (at) => this.#dv.setInt32(at, v, true));
  f64 = (v: number): StateWriter => this.#put(8, (at) => this.#dv.setFloat64(at, v, true));

  #put(n: number, write: (at: number) => void): this {
    write(this.#take(n));
    return this;
  }
  /** Each value as an f64, in order. */
  f64s(values: ArrayLike<number>): this {
    const at = this.#take(8 * values.length);
    for (let i = 0; i < values.length; i++) this.#dv.setFloat64(at + 8 * i, values[i], true);
    return this;
  }
  /** Raw bytes. */
  raw(b: Uint8Array): this {
    this.bytes.set(b, this.#take(b.length));
    return this;
  }
  /** Zero bytes up to the next multiple of 8. */
  align8(): this {
    this.#take(pad8(this.#at) - this.#at);
    return this;
  }
  /** The state; throws if a field is missing (the length did not match what was written). */
  finish(): Uint8Array {
    if (this.#at !== this.bytes.length) {
      throw new EdgewiseError(
        'INVALID_STATE',
        `StateWriter: wrote ${this.#at} of ${this.bytes.length} bytes.`,
      );
    }
    return this.bytes;
  }
}

/** Reads a state's fields in order; every read is bounds-checked (`CORRUPT_STATE` 'truncated'). */
export class StateReader {
  readonly bytes: Uint8Array;
  readonly where: string;
  readonly #dv: DataView;
  #at: number;

  constructor(bytes: Uint8Array, where: string, offset = 0) {
    this.bytes = bytes;
    this.where = where;
    this.#dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#at = offset;
  }

  /** Offset of the next field. */
  get offset(): number {
    return this.#at;
  }
  /** Bytes after the next field's offset. */
  get remaining(): number {
    return this.bytes.length - this.#at;
  }

  /** A `CORRUPT_STATE` error of this state (`${where}: ${why}; the bytes were damaged.`). */
  corrupt(why: string, cause?: unknown): EdgewiseError {
    return corruptState(this.where, why, cause);
  }

  #take(n: number): number {
    const at = this.#at;
    if (!(n >= 0) || at + n > this.bytes.length) throw this.corrupt('truncated');
    this.#at = at + n;
    return at;
  }

  u16 = (): number => this.#dv.getUint16(this.#take(2), true);
  u32 = (): number => this.#dv.getUint32(this.#take(4), true);
  i32 = (): number => this.#dv.getInt32(this.#take(4), true);
  f64 = (): number => this.#dv.getFloat64(this.#take(8), true);

  /** `count` f64 fields. */
  f64s(count: number): Float64Array {
    const at = this.#take(8 * count);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = this.#dv.getFloat64(at + 8 * i, true);
    return out;
  }
  /** Every remaining byte as f64 fields; `CORRUPT_STATE` `why` unless they are a whole number of f64s. */
  f64Rest(why = 'bad length'): Float64Array {
    if (this.remaining % 8 !== 0) throw this.corrupt(why);
    return this.f64s(this.remaining / 8);
  }
  /** A view of the next `n` bytes. */
  raw(n: number): Uint8Array {
    const at = this.#take(n);
    return this.bytes.subarray(at, at + n);
  }
  /** Skips to the next multiple of 8. */
  align8(): this {
    this.#take(pad8(this.#at) - this.#at);
    return this;
  }
  /** Throws `CORRUPT_STATE` 'trailing bytes' unless every byte was read. */
  end(): void {
    if (this.#at !== this.bytes.length) throw this.corrupt('trailing bytes');
  }
}

/** An opened state: its bytes (a Uint8Array even if an ArrayBuffer was given), header tag and a reader after the header. */
export interface OpenedState {
  readonly bytes: Uint8Array;
  /** The u16 at offset 6 (`versionWidth: 2`; 0 otherwise). */
  readonly tag: number;
  readonly reader: StateReader;
}

/**
 * Checks the input and the header of a state of `format`: bytes (a
 * Uint8Array or ArrayBuffer), at least `minLength` long, the magic, the
 * version. Returns a reader positioned after the header.
 */
export function openState(input: unknown, format: StateFormat): OpenedState {
  const { where } = format;
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  const notBytes = (): EdgewiseError =>
    new EdgewiseError(
      format.inputCode ?? 'INVALID_ARGUMENT',
      `${where}: pass the Uint8Array returned by serialize(), got ${describeValue(input)}.`,
    );
  if (!(bytes instanceof Uint8Array)) throw notBytes();
  const badMagic = (): EdgewiseError =>
    new EdgewiseError(
      'CORRUPT_STATE',
      `${where}: these bytes are not a serialized ${format.name} state (bad magic).`,
    );
  if (bytes.length < (format.minLength ?? STATE_HEADER_BYTES)) {
    throw format.inputCode === undefined ? badMagic() : notBytes();
  }
  const reader = new StateReader(bytes, where);
  if (reader.u32() !== format.magic) throw badMagic();
  const version = format.versionWidth === 4 ? reader.u32() : reader.u16();
  if (version !== format.version) {
    throw new EdgewiseError(
      'UNSUPPORTED_VERSION',
      `${where}: state version ${version} is not supported (this build reads ${format.version}).`,
    );
  }
  const tag = format.versionWidth === 4 ? 0 : reader.u16();
  return { bytes, tag, reader };
}

/** A state that is the header and a list of f64 fields (most kernel states). */
export function writeF64State(format: StateFormat, fields: ArrayLike<number>, tag = 0): Uint8Array {
  return new StateWriter(format, STATE_HEADER_BYTES + 8 * fields.length, tag).f64s(fields).finish();
}

/**
 * The identity of an object snapshot (`snapshot()` / `restore()` of detectors
 * and processors): a plain object whose `kindField` (default 'kind') names
 * the type and whose `version` says the layout.
 */
export interface SnapshotFormat {
  /** Value of the kind field ('StreamingDetector'). */
  readonly kind: string;
  /** The version this build writes. */
  readonly version: number;
  /** Older versions this build still reads (default none). */
  readonly reads?: readonly number[];
  /** Who reads it, the prefix of error messages ('StreamingDetector.restore'). */
  readonly where: string;
  /** Name of the field that holds `kind` (default 'kind'). */
  readonly kindField?: string;
}

/** The header fields of a new snapshot of `format`: `{ [kindField]: kind, version }`. */
export function snapshotHeader(format: SnapshotFormat): Record<string, string | number> {
  return { [format.kindField ?? 'kind']: format.kind, version: format.version };
}

/**
 * Checks an object snapshot's kind and version and returns the version (the
 * current one or one of `reads`): not an object or another kind is
 * `CORRUPT_STATE`, another version `UNSUPPORTED_VERSION`.
 */
export function checkSnapshot(
  s: unknown,
  format: SnapshotFormat,
): asserts s is Record<string, unknown> & { version: number } {
  const field = format.kindField ?? 'kind';
  const kind = s !== null && typeof s === 'object' ? (s as Record<string, unknown>)[field] : s;
  if (s === null || typeof s !== 'object' || kind !== format.kind) {
    throw new EdgewiseError(
      'CORRUPT_STATE',
      `${format.where}: pass a snapshot() of a ${format.kind} (got ${field} ${describeValue(kind)}).`,
    );
  }
  const version = (s as { version?: unknown }).version;
  if (version !== format.version && !format.reads?.includes(version as number)) {
    const all = [...(format.reads ?? []), format.version].join(' or ');
    throw new EdgewiseError(
      'UNSUPPORTED_VERSION',
      `${format.where}: snapshot version ${typeof version === 'number' ? version : describeValue(version)} is not supported (this build reads ${all}).`,
    );
  }
}
