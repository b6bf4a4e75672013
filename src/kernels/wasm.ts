/**
 * The kernel module's exports for the kernel classes, loaded on import: this
 * module has the top-level await, so anything that imports a kernel class
 * through a public entry point finds the module ready (`new Moments()` needs
 * no await). It defines the binding the kernel classes use, so no bundler can
 * drop it as an unused side effect.
 *
 * Worker bundles must not contain a top-level await (bundlers build workers as
 * classic scripts by default): the library's worker build replaces this
 * module with `./wasm.worker.ts`, and worker services `await loadKernels()`
 * before their first kernel call.
 */
import { loadKernels, type WasmExports } from './runtime';

export const wasm: WasmExports = await loadKernels();
