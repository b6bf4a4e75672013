/** `edgewise/kernels`: WebAssembly SIMD streaming kernels. */
export { EdgewiseError, type ErrorCode } from '../errors';
export { CoMoments } from './bivariate';
export { KernelWorkerClient, RemoteMoments } from './client';
export {
  DEFAULT_BUCKETS,
  type ExponentialBuckets,
  type ExponentialHistogramPoint,
  Histogram,
  type HistogramOptions,
} from './histogram';
export { Moments, type MomentsSummary } from './moments';
export { QuantileSketch, type QuantileSketchOptions, type QuantileSketchSummary } from './quantile';
export { KERNEL_BACKEND, type NumericInput } from './runtime';
export { createKernelService, type KernelService } from './service';
