import {
  expose as comlinkExpose,
  wrap as comlinkWrap,
  type Endpoint,
  type Remote,
  type TransferHandler,
  transferHandlers,
} from 'comlink';
import { EdgewiseError, type ErrorCode } from '../errors';

/**
 * Errors thrown inside a worker cross Comlink as plain Errors, losing their
 * `code`. This replaces Comlink's "throw" handler (once per JS realm: page or
 * worker) with one that carries `code` and rebuilds an `EdgewiseError` on the
 * calling side, so `err.code` and `instanceof EdgewiseError` hold across
 * workers. Edgewise code imports Comlink only through this module, whose
 * `wrap` and `expose` install the handler first: every channel starts with one
 * of them, so both sides have it (no reliance on a module side effect, which a
 * bundler may drop under `sideEffects: false`). Comlink stays out of bundles
 * that use no worker.
 */
interface SerializedThrow {
  isError: boolean;
  value: { message?: string; name?: string; stack?: string; code?: ErrorCode } | unknown;
}
const TAG = Symbol.for('edgewise.comlink-errors');
export function installErrorTransfer(): void {
  const base = transferHandlers.get('throw');
  if (!base || (base as unknown as Record<symbol, boolean>)[TAG]) return;
  const handler = {
    [TAG]: true,
    canHandle: base.canHandle,
    serialize(v: unknown): [unknown, Transferable[]] {
      const e = (v as { value: unknown }).value;
      if (e instanceof EdgewiseError) {
        return [
          {
            isError: true,
            value: { message: e.message, name: e.name, stack: e.stack, code: e.code },
          },
          [],
        ];
      }
      return base.serialize(v);
    },
    deserialize(s: unknown): unknown {
      const t = s as SerializedThrow;
      const v = t.value as { message?: string; name?: string; stack?: string; code?: ErrorCode };
      if (t.isError && v?.name === 'EdgewiseError' && typeof v.code === 'string') {
        const err = new EdgewiseError(v.code, v.message ?? '');
        if (v.stack) err.stack = v.stack;
        throw err;
      }
      return base.deserialize(s);
    },
  };
  transferHandlers.set('throw', handler as unknown as TransferHandler<unknown, unknown>);
}

/** Comlink's `wrap`, with the error handler installed. */
export function wrap<T>(endpoint: Endpoint): Remote<T> {
  installErrorTransfer();
  return comlinkWrap<T>(endpoint);
}

/** Comlink's `expose`, with the error handler installed. */
export function expose(
  value: unknown,
  endpoint?: Endpoint,
  allowedOrigins?: (string | RegExp)[],
): void {
  installErrorTransfer();
  comlinkExpose(value, endpoint, allowedOrigins);
}

export {
  type Endpoint,
  proxy,
  type Remote,
  releaseProxy,
  transfer,
} from 'comlink';
