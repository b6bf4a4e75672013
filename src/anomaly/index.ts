/**
 * `edgewise/anomaly`: streaming and batch anomaly detectors, score calibration,
 * ensembles. Running them in workers (pool, service, monitor) is `edgewise/threads`.
 *
 * @module edgewise/anomaly
 */
export { EdgewiseError, type ErrorCode } from '../errors';
export type { AnomalyEvent } from '../events/topic-map';
export type { BusLike, MonitorOptions } from '../threads/anomaly/monitor';
export type {
  PoolCallOptions,
  PoolOptions,
  PoolWorkerFactory,
  PoolWorkerHandle,
} from '../threads/anomaly/pool';
export type {
  AnomalyService,
  AnomalyServiceInfo,
  StreamUpdateResult,
} from '../threads/anomaly/service';
export { serveWindowDetection } from '../threads/stream/service';
export { ARTimeDetector, type ARTimeOptions } from './artime';
export { ARTimeMember, type ARTimeMemberOptions } from './artime-member';
export { CadOseDetector, type CadOseOptions } from './cad-ose';
export { type CalibratorSnapshot, ScoreCalibrator } from './calibration';
export {
  type Combination,
  Ensemble,
  type EnsembleOptions,
  type Normalization,
} from './ensemble';
export {
  allDetectors,
  type CombineRule,
  defaultMembers,
  SEASONAL_ALARM_TAIL,
  StreamingDetector,
  type StreamingDetectorOptions,
  withARTime,
} from './ensemble-stream';
export {
  HalfSpaceTreesDetector,
  type HalfSpaceTreesOptions,
  RandomCutForestDetector,
  type RandomCutForestOptions,
} from './forests-stream';
export { IsolationForest, type IsolationForestOptions } from './iforest';
export { type ForestScoreResult, scoreIsolationForest } from './iforest-gpu';
export { LocalOutlierFactor, type LocalOutlierFactorOptions } from './lof';
export type { MatrixOptions } from './matrix';
export {
  chi2Quantile,
  type RobustCovarianceOptions,
  RobustMahalanobis,
  robustLocationScale,
  robustZScores,
} from './robust';
export {
  detectOnWindows,
  type WindowDetection,
  type WindowDetectionOptions,
} from './stream-stage';
export {
  BaseDetector,
  type BaseOptions,
  CusumDetector,
  type CusumOptions,
  type DetectorSnapshot,
  EwmaDetector,
  type EwmaOptions,
  GaussianDetector,
  type GaussianOptions,
  MadDetector,
  type MadOptions,
  PageHinkleyDetector,
  type PageHinkleyOptions,
  SeasonalDetector,
  type SeasonalOptions,
  type StreamingDetectorApi,
} from './streaming';
