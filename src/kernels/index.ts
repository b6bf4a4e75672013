/**
 * `edgewise/kernels`: WebAssembly SIMD streaming kernels.
 *
 * @module edgewise/kernels
 */
export { EdgewiseError, type ErrorCode } from '../errors';
export type { KernelService, KernelServiceInfo } from '../threads/kernels/service';
export { argsortF64, CoMoments, type MeanM2, meanAndM2 } from './bivariate';
export { Covariance, type CovarianceOptions } from './covariance';
export { Ewma, type EwmaOptions, type EwmaSeries } from './ewma';
export { fft, fftMagnitudes } from './fft';
export {
  DEFAULT_BUCKETS,
  type ExponentialBuckets,
  type ExponentialHistogramPoint,
  Histogram,
  type HistogramOptions,
} from './histogram';
export { Moments, type MomentsSummary } from './moments';
export { QuantileSketch, type QuantileSketchOptions, type QuantileSketchSummary } from './quantile';
export {
  defaultKernelsUrl,
  KERNEL_BACKEND,
  type KernelsSource,
  kernelsLoaded,
  loadKernels,
  type NumericInput,
  type WasmExports,
} from './runtime';
export {
  SlidingWindow,
  TumblingWindow,
  type WindowOptions,
  type WindowOutput,
  type WindowPushOptions,
  type WindowStat,
} from './window';
