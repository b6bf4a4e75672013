/// <reference lib="webworker" />
// Browser Web Worker entry: a stream processor driven over a bridged event bus
// (see hostStream in src/stream/host.ts), with window detection served on the
// same bus (serveWindowDetection in src/anomaly/stream-stage.ts) so anomaly.*
// events found here go back to the page. The modules instantiate WebAssembly
// with a top-level await, so they load with import() after a listener is in
// place: messages that arrive meanwhile are queued and replayed, never lost.
import type { MessageEndpoint } from '../src/events/bridge';

const early: MessageEvent[] = [];
const hold = (e: MessageEvent): void => {
  early.push(e);
};
self.addEventListener('message', hold);
void Promise.all([import('../src/stream/host'), import('../src/anomaly/stream-stage')]).then(
  ([{ hostStream }, { serveWindowDetection }]) => {
    const bus = hostStream(self as unknown as MessageEndpoint, {
      forward: ['anomaly.#', 'stream.detect.state'],
    });
    serveWindowDetection(bus);
    self.removeEventListener('message', hold);
    for (const e of early)
      self.dispatchEvent(new MessageEvent('message', { data: e.data, ports: [...e.ports] }));
  },
);
