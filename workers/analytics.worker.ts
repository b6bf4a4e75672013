/// <reference lib="webworker" />
// Browser Web Worker entry: exposes the kernel service through Comlink.
// Expose first; kernels load lazily inside the service.
import { expose } from '../src/comlink';
import { createKernelService } from '../src/kernels/service';

expose(createKernelService());
