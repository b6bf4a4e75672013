/// <reference lib="webworker" />
// Browser Web Worker entry: a stream processor driven over a bridged event bus
// (see hostStream in src/stream/host.ts).
import type { MessageEndpoint } from '../src/events/bridge';
import { hostStream } from '../src/stream/host';

hostStream(self as unknown as MessageEndpoint);
