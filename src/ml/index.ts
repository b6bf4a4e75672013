/**
 * `edgewise/ml`: features, training, model registry, drift monitoring, and the
 * export of forests to ONNX. Running ONNX models is `edgewise/onnx` (it needs
 * the optional peer dependency onnxruntime-web).
 *
 * @module edgewise/ml
 */
export { EdgewiseError, type ErrorCode } from '../errors';
export { fft, fftMagnitudes } from '../kernels/fft';
export { mlRemote, train } from '../threads/ml/client';
export { createMlService, type MlService } from '../threads/ml/service';
export { createMlWorker } from '../threads/ml/start';
export {
  Adwin,
  type AdwinOptions,
  BinnedCounts,
  DriftMonitor,
  type DriftMonitorOptions,
  type DriftReport,
  type KsResult,
  ksFromSketches,
  PageHinkley,
  type PageHinkleyOptions,
  psi,
} from './drift';
export { exportIsolationForestOnnx, type ForestExportOptions } from './export-onnx';
export {
  compileFeatures,
  type FeatureDef,
  FeatureExtractor,
  type FeatureMatrix,
  type FeatureSpec,
  FeatureStream,
  type FeatureTable,
  type RollingStat,
  specHash,
} from './features';
export { canonicalJson, sha256Hex, verifySha256 } from './hash';
export {
  deserializeModel,
  MODEL_KINDS,
  type Model,
  type ModelHeader,
  type ModelKind,
} from './models';
export {
  type AsyncScorer,
  type Pipeline,
  type PipelineMonitorOptions,
  type PipelineOptions,
  pipeline,
  type ScoreBatch,
  type Scorer,
  type SyncScorer,
} from './pipeline';
export {
  type ModelRecord,
  ModelRegistry,
  type ModelStage,
  type RegisterOptions,
  type RegistryEvent,
  type RegistryOptions,
  type ShadowReport,
} from './registry';
export {
  auc,
  type Evaluation,
  type TrainData,
  type TrainOptions,
  type TrainPhase,
  type TrainProgress,
  type TrainResult,
  type TrainRunOptions,
  trainInline,
} from './train';
