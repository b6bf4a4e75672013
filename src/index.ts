/**
 * `edgewise`: the public entry. `createRuntime()` gathers the parts that are
 * built so far and reports which backends run; sub-paths export each family.
 *
 * @module edgewise
 */
export * from './anomaly/index';
export * from './events/index';
// Likewise EwmaOptions: the root re-exports the kernel's (`Ewma`); the
// detector's is `edgewise/anomaly`'s EwmaOptions.
export type { EwmaOptions } from './kernels/index';
export * from './kernels/index';
export * from './metrics/index';
export {
  createRuntime,
  type Detection,
  type DetectionSnapshot,
  type DetectOptions,
  type Runtime,
  type RuntimeOptions,
} from './runtime/create';
// Statistics (hypothesis tests, distributions, regression) are `edgewise/stats`
// only: the root stays within its size budget, and the detectors' MadOptions is
// the only MadOptions here.
export * from './stream/index';
