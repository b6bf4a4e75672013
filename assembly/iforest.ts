// Isolation Forest (Liu, Ting & Zhou 2008), built and scored over flat arrays.
//
// A tree is `maxNodes` 16-byte node records in pre-order (the left child of
// node i is i + 1), followed by `maxNodes` f64 leaf values (24 bytes a node):
//   +0  f64  split threshold; -Infinity for a leaf
//   +8  i32  split feature (original column index); 0 for a leaf
//   +12 i32  index of the right child; a leaf points to itself
//   leaf value (at 16 * maxNodes + 8 * i): path length depth + c(size)
// A leaf is absorbing (x <= -Infinity is false, so it "goes right" to itself),
// so scoring runs a fixed maxDepth steps with no data-dependent branches.
// Trees follow scikit-learn's ExtraTreeRegressor(max_features=1,
// splitter='random') as IsolationForest uses it: at each node draw features
// uniformly among the tree's features until one is not constant on the node
// (max - min > 1e-7), split at a uniform threshold in [min, max), stop at
// depth ceil(log2(sampleSize)) or one sample.

const EULER_GAMMA: f64 = 0.5772156649015329;

/** Average path length of an unsuccessful BST search among n points, c(n). */
export function iforest_c(n: f64): f64 {
  if (n <= 1.0) return 0.0;
  if (n <= 2.0) return 1.0;
  return 2.0 * (Math.log(n - 1.0) + EULER_GAMMA) - (2.0 * (n - 1.0)) / n;
}

// xorshift128-style generator on two u32 words, reseeded per tree.
let r0: u32 = 1;
let r1: u32 = 2;
@inline function nextU32(): u32 {
  let s1 = r0;
  const s0 = r1;
  r0 = s0;
  s1 ^= s1 << 23;
  s1 ^= s1 >> 17;
  s1 ^= s0;
  s1 ^= s0 >> 26;
  r1 = s1;
  return r0 + r1;
}
@inline function nextF64(): f64 {
  const a = <u64>(nextU32() >> 5);
  const b = <u64>(nextU32() >> 6);
  return <f64>((a << 26) | b) * (1.0 / 9007199254740992.0);
}
function seedRng(seed: u32): void {
  // splitmix32 to spread the seed
  let z = seed + 0x9e3779b9;
  z = (z ^ (z >> 16)) * 0x85ebca6b;
  z = (z ^ (z >> 13)) * 0xc2b2ae35;
  r0 = (z ^ (z >> 16)) | 1;
  z = seed * 0x2545f491 + 0x6d2b79f5;
  z = (z ^ (z >> 15)) * 0x2c1b3c6d;
  z = (z ^ (z >> 12)) * 0x297a2d39;
  r1 = (z ^ (z >> 15)) | 2;
  for (let i = 0; i < 8; i++) nextU32();
}

let gX: usize = 0; // samples, m rows x d
let gD: i32 = 0;
let gIdx: usize = 0; // i32 row indices (partitioned in place)
let gFeat: usize = 0; // i32 features of this tree
let gNf: i32 = 0;
let gCand: usize = 0; // i32 scratch
let gNodes: usize = 0;
let gCount: i32 = 0;
let gMaxDepth: i32 = 0;

@inline function xval(row: i32, f: i32): f64 {
  return load<f64>(gX + ((<usize>row * <usize>gD + <usize>f) << 3));
}

let gMaxNodes: i32 = 0;
function makeLeaf(node: i32, depth: i32, size: i32): void {
  const p = gNodes + (<usize>node << 4);
  store<f64>(p, -Infinity);
  store<i32>(p, 0, 8);
  store<i32>(p, node, 12);
  store<f64>(gNodes + (<usize>gMaxNodes << 4) + (<usize>node << 3), <f64>depth + iforest_c(<f64>size));
}

function build(start: i32, end: i32, depth: i32): void {
  const node = gCount++;
  const size = end - start;
  if (depth >= gMaxDepth || size <= 1) {
    makeLeaf(node, depth, size);
    return;
  }
  for (let j = 0; j < gNf; j++) store<i32>(gCand + (<usize>j << 2), load<i32>(gFeat + (<usize>j << 2)));
  let remaining = gNf;
  let feat: i32 = -1;
  let mn: f64 = 0;
  let mx: f64 = 0;
  while (remaining > 0) {
    const j = <i32>(nextF64() * <f64>remaining);
    const f = load<i32>(gCand + (<usize>j << 2));
    mn = Infinity;
    mx = -Infinity;
    for (let i = start; i < end; i++) {
      const v = xval(load<i32>(gIdx + (<usize>i << 2)), f);
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    if (mx <= mn + 1e-7) {
      remaining--;
      store<i32>(gCand + (<usize>j << 2), load<i32>(gCand + (<usize>remaining << 2)));
      store<i32>(gCand + (<usize>remaining << 2), f);
      continue;
    }
    feat = f;
    break;
  }
  if (feat < 0) {
    makeLeaf(node, depth, size);
    return;
  }
  let thr = mn + nextF64() * (mx - mn);
  if (thr >= mx) thr = mn;
  // partition: values <= thr to the left
  let i = start;
  let k = end - 1;
  while (i <= k) {
    const ri = load<i32>(gIdx + (<usize>i << 2));
    if (xval(ri, feat) <= thr) {
      i++;
    } else {
      store<i32>(gIdx + (<usize>i << 2), load<i32>(gIdx + (<usize>k << 2)));
      store<i32>(gIdx + (<usize>k << 2), ri);
      k--;
    }
  }
  const p = gNodes + (<usize>node << 4);
  store<f64>(p, thr);
  store<i32>(p, feat, 8);
  build(start, i, depth + 1);
  store<i32>(p, gCount, 12);
  build(i, end, depth + 1);
}

/**
 * Builds one tree from `m` sample rows (row-major, `d` columns) at `x`, using
 * the `nf` feature indices at `feats` (i32). `work` holds 2 * (m + d) i32.
 * Writes nodes at `nodes`; returns the node count.
 */
export function iforest_build(
  x: usize,
  m: i32,
  d: i32,
  feats: usize,
  nf: i32,
  maxDepth: i32,
  nodes: usize,
  work: usize,
  seed: u32,
  maxNodes: i32,
): i32 {
  seedRng(seed);
  gMaxNodes = maxNodes;
  gX = x;
  gD = d;
  gFeat = feats;
  gNf = nf;
  gIdx = work;
  gCand = work + (<usize>m << 2);
  gNodes = nodes;
  gCount = 0;
  gMaxDepth = maxDepth;
  for (let i = 0; i < m; i++) store<i32>(gIdx + (<usize>i << 2), i);
  build(0, m, 0);
  return gCount;
}

/**
 * Writes the scoring form of `trees` trees (layout above) to `dst` (same
 * size): a node's feature becomes its byte offset in a row (feature * 8) and
 * its right child the byte offset of that node in its tree (index * 16), so
 * the scorer's steps need no shifts. Leaf values are copied unchanged.
 */
export function iforest_compile(nodes: usize, trees: i32, maxNodes: i32, dst: usize): void {
  const treeBytes = <usize>maxNodes * 24;
  for (let t: usize = 0; t < <usize>trees; t++) {
    const src = nodes + t * treeBytes;
    const out = dst + t * treeBytes;
    for (let i: usize = 0; i < <usize>maxNodes; i++) {
      const a = src + (i << 4);
      const b = out + (i << 4);
      store<f64>(b, load<f64>(a));
      store<u32>(b, load<u32>(a, 8) << 3, 8);
      store<u32>(b, load<u32>(a, 12) << 4, 12);
    }
    memory.copy(out + (<usize>maxNodes << 4), src + (<usize>maxNodes << 4), <usize>maxNodes << 3);
  }
}

/**
 * Scores `n` rows at `x` (row-major, `d` columns) with the scoring form of
 * the trees (iforest_compile; stride 24 * `maxNodes` bytes): writes each row's
 * summed path length over `trees` trees to `out`. Tree-major over blocks of
 * rows (a tree's nodes stay in L1 while the block passes through it), 8 rows
 * walked at once for `depth` branch-free steps so that many independent load
 * chains are in flight; a node's feature and right child come in one i64
 * load. A row adds its trees' path lengths in tree order, so the sums do not
 * depend on the blocking.
 */
export function iforest_pathsum(
  nodes: usize,
  trees: i32,
  maxNodes: i32,
  depth: i32,
  x: usize,
  n: i32,
  d: i32,
  out: usize,
): void {
  for (let i = 0; i < n; i++) store<f64>(out + (<usize>i << 3), 0.0);
  const treeBytes = <usize>maxNodes * 24;
  const leafOff = <usize>maxNodes << 4;
  const rowBytes = <usize>d << 3;
  const BLOCK: i32 = 512;
  for (let b = 0; b < n; b += BLOCK) {
    const e = b + BLOCK < n ? b + BLOCK : n;
    for (let t = 0; t < trees; t++) {
      const tree = nodes + <usize>t * treeBytes;
      const leaves = tree + leafOff;
      let i = b;
      for (; i + 7 < e; i += 8) {
        const x0 = x + <usize>i * rowBytes;
        let p0: usize = 0, p1: usize = 0, p2: usize = 0, p3: usize = 0, p4: usize = 0, p5: usize = 0, p6: usize = 0, p7: usize = 0;
        for (let s = 0; s < depth; s++) {
          const a0 = tree + p0;
          const fr0 = load<u64>(a0, 8);
          const a1 = tree + p1;
          const fr1 = load<u64>(a1, 8);
          const a2 = tree + p2;
          const fr2 = load<u64>(a2, 8);
          const a3 = tree + p3;
          const fr3 = load<u64>(a3, 8);
          const a4 = tree + p4;
          const fr4 = load<u64>(a4, 8);
          const a5 = tree + p5;
          const fr5 = load<u64>(a5, 8);
          const a6 = tree + p6;
          const fr6 = load<u64>(a6, 8);
          const a7 = tree + p7;
          const fr7 = load<u64>(a7, 8);
          p0 = select<usize>(p0 + 16, <usize>(fr0 >> 32), load<f64>(x0 + <usize>(<u32>fr0)) <= load<f64>(a0));
          p1 = select<usize>(p1 + 16, <usize>(fr1 >> 32), load<f64>(x0 + 1 * rowBytes + <usize>(<u32>fr1)) <= load<f64>(a1));
          p2 = select<usize>(p2 + 16, <usize>(fr2 >> 32), load<f64>(x0 + 2 * rowBytes + <usize>(<u32>fr2)) <= load<f64>(a2));
          p3 = select<usize>(p3 + 16, <usize>(fr3 >> 32), load<f64>(x0 + 3 * rowBytes + <usize>(<u32>fr3)) <= load<f64>(a3));
          p4 = select<usize>(p4 + 16, <usize>(fr4 >> 32), load<f64>(x0 + 4 * rowBytes + <usize>(<u32>fr4)) <= load<f64>(a4));
          p5 = select<usize>(p5 + 16, <usize>(fr5 >> 32), load<f64>(x0 + 5 * rowBytes + <usize>(<u32>fr5)) <= load<f64>(a5));
          p6 = select<usize>(p6 + 16, <usize>(fr6 >> 32), load<f64>(x0 + 6 * rowBytes + <usize>(<u32>fr6)) <= load<f64>(a6));
          p7 = select<usize>(p7 + 16, <usize>(fr7 >> 32), load<f64>(x0 + 7 * rowBytes + <usize>(<u32>fr7)) <= load<f64>(a7));
        }
        const o = out + (<usize>i << 3);
        store<f64>(o, load<f64>(o, 0) + load<f64>(leaves + (p0 >> 1)), 0);
        store<f64>(o, load<f64>(o, 8) + load<f64>(leaves + (p1 >> 1)), 8);
        store<f64>(o, load<f64>(o, 16) + load<f64>(leaves + (p2 >> 1)), 16);
        store<f64>(o, load<f64>(o, 24) + load<f64>(leaves + (p3 >> 1)), 24);
        store<f64>(o, load<f64>(o, 32) + load<f64>(leaves + (p4 >> 1)), 32);
        store<f64>(o, load<f64>(o, 40) + load<f64>(leaves + (p5 >> 1)), 40);
        store<f64>(o, load<f64>(o, 48) + load<f64>(leaves + (p6 >> 1)), 48);
        store<f64>(o, load<f64>(o, 56) + load<f64>(leaves + (p7 >> 1)), 56);
      }
      for (; i < e; i++) {
        const row = x + <usize>i * rowBytes;
        let p: usize = 0;
        for (let s = 0; s < depth; s++) {
          const a = tree + p;
          p = select<usize>(p + 16, <usize>load<u32>(a, 12), load<f64>(row + <usize>load<u32>(a, 8)) <= load<f64>(a));
        }
        const o = out + (<usize>i << 3);
        store<f64>(o, load<f64>(o) + load<f64>(leaves + (p >> 1)));
      }
    }
  }
}
