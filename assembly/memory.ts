// Raw linear-memory allocation for the JavaScript side. Kernels never allocate
// in their hot loops: JS allocates state blocks and staging areas once, and
// passes pointers. TLSF (runtime "minimal") gives 16-byte aligned blocks, so
// v128 loads on staging areas are aligned.

export function alloc(bytes: usize): usize {
  const ptr = heap.alloc(bytes);
  memory.fill(ptr, 0, bytes);
  return ptr;
}

export function free(ptr: usize): void {
  heap.free(ptr);
}
