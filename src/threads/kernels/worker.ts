/// <reference lib="webworker" />
// Browser Web Worker entry: exposes the kernel service through Comlink.
// Expose first; kernels load lazily inside the service.
import { expose } from '../comlink';
import { createKernelService } from './service';

expose(createKernelService());
