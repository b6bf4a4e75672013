// Entry of the Edgewise WebAssembly module. Each kernel lives in its own file
// and is re-exported here; JS reaches them only through src/kernels/.
export { alloc, free } from './memory';
export { moments_init, moments_push, moments_merge, sum_f64 } from './moments';
export { iforest_build, iforest_c, iforest_compile, iforest_pathsum } from './iforest';
export { knn_build, knn_query } from './knn';
export { qs_init, qs_push, qs_merge, qs_reset, qs_release, qs_store_ensure, qs_flush_exact } from './quantile';
export { hx_init, hx_reset, hx_push, hx_merge, he_init, he_reset, he_push, he_merge, he_index } from './histogram';
export { cw_slots, cw_init, cw_reset, cw_push, cw_push_sums } from './window';
export { tw_slots, tw_init, tw_reset, tw_push, tw_flush } from './window-time';
export { cov_slots, cov_init, cov_push, cov_merge } from './covariance';
export { ew_init, ew_push } from './ewma';
export { bivar_init, bivar_push, bivar_merge, bivar_rss, univar_init, univar_push } from './bivariate';
export { argsort_f64 } from './sort';
export { fft_inplace, fft_magnitudes } from './fft';
