/// <reference lib="webworker" />
// Browser Web Worker entry: a stream processor driven over a bridged event bus
// (see hostStream in src/stream/host.ts), with window detection served on the
// same bus (serveWindowDetection in ./service.ts) so anomaly.*
// events found here go back to the page. Worker bundles have no top-level
// await: the kernel module loads first, while a listener queues the messages
// that arrive meanwhile; they are replayed once the stream is hosted, never lost.
import type { MessageEndpoint } from '../../events/bridge';
import { loadKernels } from '../../kernels/runtime';
import { hostStream } from '../../stream/host';
import { serveWindowDetection } from './service';

const early: MessageEvent[] = [];
const hold = (e: MessageEvent): void => {
  early.push(e);
};
self.addEventListener('message', hold);
void loadKernels().then(() => {
  const bus = hostStream(self as unknown as MessageEndpoint, {
    forward: ['anomaly.#', 'stream.detect.state'],
  });
  serveWindowDetection(bus);
  self.removeEventListener('message', hold);
  for (const e of early)
    self.dispatchEvent(new MessageEvent('message', { data: e.data, ports: [...e.ports] }));
});
