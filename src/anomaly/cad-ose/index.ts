/**
 * CAD OSE (Contextual Anomaly Detector, open source edition), our own port:
 * `options` (options and their checks), `structures` (the 64-bit tuple
 * hashes, maps and semi-context stores of the reference), `state` (snapshot
 * checks) and `detector` (the streaming detector).
 */
export { CadOseDetector } from './detector';
export type { CadOseOptions } from './options';
