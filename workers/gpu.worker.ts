/// <reference lib="webworker" />
// Browser Web Worker entry for the GPU ops (WebGPU in a dedicated worker).
import { expose } from '../src/comlink';
import { createGpuService } from '../src/gpu/service';

expose(createGpuService());
