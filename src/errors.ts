/**
 * Stable error codes. Code strings never change once published; messages may.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_STATE'
  | 'DISPOSED'
  | 'CORRUPT_STATE'
  | 'UNSUPPORTED_VERSION'
  | 'OUT_OF_MEMORY'
  | 'WASM_UNAVAILABLE'
  | 'WASM_ABORT'
  | 'WORKER_FAILED'
  | 'NOT_FOUND'
  | 'ABORTED'
  | 'GPU_UNAVAILABLE'
  | 'GPU_DEVICE_LOST'
  | 'GPU_SHADER'
  | 'INVALID_NAME'
  | 'ALREADY_REGISTERED'
  | 'LABEL_MISMATCH'
  | 'QUOTA_EXCEEDED'
  | 'SYNC_REJECTED'
  | 'INTEGRITY'
  | 'MISSING_DEPENDENCY';

/** The one error type Edgewise throws. `code` is stable; `message` says what to do. */
export class EdgewiseError extends Error {
  readonly code: ErrorCode;
  override readonly name = 'EdgewiseError';
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True when `e` is an `EdgewiseError` (with `code`, when given): `if (isEdgewiseError(e, 'DISPOSED')) ...`. */
export function isEdgewiseError(e: unknown, code?: ErrorCode): e is EdgewiseError {
  return e instanceof EdgewiseError && (code === undefined || e.code === code);
}

/** Short description of a value for error messages (never dumps large data). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  if (typeof v === 'string')
    return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

/**
 * Where this code runs: the global scope's class ('Window',
 * 'DedicatedWorkerGlobalScope', ...), or in Node 'node:main-thread' /
 * 'node:worker_threads'.
 */
export function globalScopeName(): string {
  const proc = (
    globalThis as {
      process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown };
    }
  ).process;
  if (proc?.versions?.node && typeof proc.getBuiltinModule === 'function') {
    const wt = proc.getBuiltinModule('node:worker_threads') as { isMainThread?: boolean };
    return wt?.isMainThread === false ? 'node:worker_threads' : 'node:main-thread';
  }
  return (globalThis as { constructor?: { name?: string } }).constructor?.name ?? 'unknown';
}
