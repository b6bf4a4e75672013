// Entry of the Edgewise WebAssembly module. Each kernel lives in its own file
// and is re-exported here; JS reaches them only through src/kernels/.
export { alloc, free } from './memory';
export { moments_init, moments_push, moments_merge } from './moments';
export { iforest_build, iforest_c, iforest_pathsum } from './iforest';
export { knn_query } from './knn';
export { qs_init, qs_push, qs_merge, qs_reset, qs_release, qs_store_ensure, qs_flush_exact } from './quantile';
export { hx_init, hx_reset, hx_push, hx_merge, he_init, he_reset, he_push, he_merge, he_index } from './histogram';
export { bivar_init, bivar_push, bivar_merge } from './bivariate';
