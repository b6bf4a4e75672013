declare module 'snappyjs' {
  /** Snappy block-format compression (snappyjs, MIT). */
  export function compress(input: Uint8Array): Uint8Array;
  export function uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
}
