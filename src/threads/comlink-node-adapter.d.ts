declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  /** Wraps a Node `worker_threads` Worker or MessagePort as a Comlink endpoint. */
  export default function nodeEndpoint(port: unknown): Endpoint;
}
