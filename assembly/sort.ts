// Stable argsort of f64 keys by LSD radix sort (4 passes of 16-bit digits):
// the ranking kernel behind Spearman, Kendall, Mann-Whitney, Wilcoxon and
// Kruskal-Wallis on large samples.
//
// Buffers (all allocated by JS): keys/keys2 u64 x n, idx/idx2 u32 x n,
// counts u32 x 65536. Input values are at `vals` (f64 x n, NaN-free).
// Result: idx (u32 x n) holds the stable ascending order.

@inline function sortable(x: f64): u64 {
  const b = reinterpret<u64>(x + 0.0); // -0 -> +0 (equal values must tie)
  return (b >> 63) != 0 ? ~b : b | 0x8000000000000000;
}

export function argsort_f64(
  vals: usize, n: i32, keys: usize, keys2: usize, idx: usize, idx2: usize, counts: usize,
): void {
  for (let i = 0; i < n; i++) {
    store<u64>(keys + (<usize>i << 3), sortable(load<f64>(vals + (<usize>i << 3))));
    store<u32>(idx + (<usize>i << 2), <u32>i);
  }
  let ka = keys, kb = keys2, ia = idx, ib = idx2;
  for (let pass: u64 = 0; pass < 4; pass++) {
    const shift = pass * 16;
    memory.fill(counts, 0, 65536 * 4);
    for (let i = 0; i < n; i++) {
      const d = <usize>((load<u64>(ka + (<usize>i << 3)) >> shift) & 0xffff);
      store<u32>(counts + (d << 2), load<u32>(counts + (d << 2)) + 1);
    }
    // skip a pass whose digit is the same for every key
    const first = <usize>((load<u64>(ka) >> shift) & 0xffff);
    if (n > 0 && load<u32>(counts + (first << 2)) == <u32>n) continue;
    let sum: u32 = 0;
    for (let d = 0; d < 65536; d++) {
      const c = load<u32>(counts + (<usize>d << 2));
      store<u32>(counts + (<usize>d << 2), sum);
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = load<u64>(ka + (<usize>i << 3));
      const d = <usize>((k >> shift) & 0xffff);
      const pos = load<u32>(counts + (d << 2));
      store<u32>(counts + (d << 2), pos + 1);
      store<u64>(kb + (<usize>pos << 3), k);
      store<u32>(ib + (<usize>pos << 2), load<u32>(ia + (<usize>i << 2)));
    }
    const tk = ka; ka = kb; kb = tk;
    const ti = ia; ia = ib; ib = ti;
  }
  if (ia != idx) memory.copy(idx, ia, <usize>n << 2);
}
