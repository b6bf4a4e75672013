import { type TransferHandler, transferHandlers } from 'comlink';
import { EdgewiseError, type ErrorCode } from './errors';

/**
 * Errors thrown inside a worker cross Comlink as plain Errors, losing their
 * `code`. This replaces Comlink's "throw" handler (once per JS realm: page or
 * worker) with one that carries `code` and rebuilds an `EdgewiseError` on the
 * calling side, so `err.code` and `instanceof EdgewiseError` hold across
 * workers. Both sides load this module: Edgewise code imports Comlink only
 * through it (`src/comlink.ts`), so the handler is installed wherever Comlink
 * runs, and Comlink stays out of bundles that use no worker.
 */
interface SerializedThrow {
  isError: boolean;
  value: { message?: string; name?: string; stack?: string; code?: ErrorCode } | unknown;
}
const TAG = Symbol.for('edgewise.comlink-errors');
function installErrorTransfer(): void {
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
installErrorTransfer();

export * from 'comlink';
