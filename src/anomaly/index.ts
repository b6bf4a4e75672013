/** `edgewise/anomaly`: streaming and batch anomaly detectors, score calibration, ensembles. */
export { EdgewiseError, type ErrorCode } from '../errors';
export { IsolationForest, type IsolationForestOptions } from './iforest';
export { LocalOutlierFactor, type LocalOutlierFactorOptions } from './lof';
export type { MatrixOptions } from './matrix';
