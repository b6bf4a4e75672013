/**
 * ARTime (adaptive resonance theory over windowed features), our own port of
 * ARTime.jl / ARTimeNAB.jl: `options` (options, constants and their
 * checks), `numerics` (Julia-order sums, the Haar transform, similarities),
 * `art` (the dual-vigilance fuzzy ART network), `state` (snapshot checks) and
 * `detector` (the streaming detector).
 */
export { ARTimeDetector } from './detector';
export type { ARTimeOptions } from './options';
