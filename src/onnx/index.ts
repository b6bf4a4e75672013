/**
 * `edgewise/onnx`: ONNX inference with onnxruntime-web, on the calling thread
 * (`loadOnnx`) or in the package's ONNX worker (`createOnnxWorker`,
 * `loadOnnxInWorker`). onnxruntime-web is an optional peer dependency
 * (`npm install onnxruntime-web`): only apps that import this entry have it in
 * their build, and it loads when the first model does.
 *
 * @module edgewise/onnx
 */
export { EdgewiseError, type ErrorCode } from '../errors';
export { verifySha256 } from '../ml/hash';
export {
  type ExecutionProvider,
  importOrt,
  type LoadOnnxOptions,
  loadOnnx,
  OnnxModel,
  type OnnxModelInfo,
  type OnnxRunResult,
  type OrtEnvOptions,
  type OrtModule,
  type OrtSession,
  type OrtTensor,
} from '../ml/onnx';
export { loadOnnxInWorker, RemoteOnnxModel } from '../threads/onnx/client';
export { createOnnxService, type OnnxService } from '../threads/onnx/service';
export { createOnnxWorker } from '../threads/onnx/start';
