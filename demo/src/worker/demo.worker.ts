/// <reference lib="webworker" />
// Demo worker entry: expose first, load the heavy modules lazily.
import { expose } from '../../../src/threads/comlink';
import { createDemoService } from './service';

expose(createDemoService());
