/**
 * Worker-build replacement of `./wasm.ts` (see scripts/build-workers.mjs): the
 * same binding without the top-level await. It is set once `loadKernels()`
 * has finished, which the worker services await before their first call.
 */
export { wasmLive as wasm } from '../../kernels/runtime';
