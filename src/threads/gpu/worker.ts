/// <reference lib="webworker" />
// Browser Web Worker entry for the GPU ops (WebGPU in a dedicated worker).
import { expose } from '../comlink';
import { createGpuService } from './service';

expose(createGpuService());
