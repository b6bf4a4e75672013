/// <reference lib="webworker" />
// Browser Web Worker entry: exposes the anomaly service through Comlink.
// Expose first; detectors load lazily inside the service.

import { expose } from '../comlink';
import { createAnomalyService } from './service';

expose(createAnomalyService());
