/// <reference lib="webworker" />
// Browser Web Worker entry: exposes the anomaly service through Comlink.
// Expose first; detectors load lazily inside the service.

import { createAnomalyService } from '../src/anomaly/service';
import { expose } from '../src/comlink';

expose(createAnomalyService());
