// Entry of the Edgewise WebAssembly module. Each kernel lives in its own file
// and is re-exported here; JS reaches them only through src/kernels/.
export { alloc, free } from './memory';
export { moments_init, moments_push, moments_merge } from './moments';
export { bivar_init, bivar_push, bivar_merge } from './bivariate';
