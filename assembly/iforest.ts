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
 * Scores `n` rows at `x` (row-major, `d` columns): writes the summed path
 * length over `trees` trees (stride 24 * `maxNodes` bytes) to `out`.
 * Iterates tree-major over blocks of rows so one tree stays in cache, and
 * walks four rows at once for `depth` branch-free steps.
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
  const BLOCK: i32 = 1024;
  for (let b = 0; b < n; b += BLOCK) {
    const e = b + BLOCK < n ? b + BLOCK : n;
    for (let t = 0; t < trees; t++) {
      const tree = nodes + <usize>t * treeBytes;
      const leaves = tree + leafOff;
      let i = b;
      for (; i + 3 < e; i += 4) {
        const x0 = x + <usize>i * rowBytes;
        const x1 = x0 + rowBytes;
        const x2 = x1 + rowBytes;
        const x3 = x2 + rowBytes;
        let p0: usize = 0, p1: usize = 0, p2: usize = 0, p3: usize = 0;
        for (let s = 0; s < depth; s++) {
          const a0 = tree + (p0 << 4);
          const a1 = tree + (p1 << 4);
          const a2 = tree + (p2 << 4);
          const a3 = tree + (p3 << 4);
          p0 = select<usize>(p0 + 1, <usize>load<i32>(a0, 12), load<f64>(x0 + (<usize>load<i32>(a0, 8) << 3)) <= load<f64>(a0));
          p1 = select<usize>(p1 + 1, <usize>load<i32>(a1, 12), load<f64>(x1 + (<usize>load<i32>(a1, 8) << 3)) <= load<f64>(a1));
          p2 = select<usize>(p2 + 1, <usize>load<i32>(a2, 12), load<f64>(x2 + (<usize>load<i32>(a2, 8) << 3)) <= load<f64>(a2));
          p3 = select<usize>(p3 + 1, <usize>load<i32>(a3, 12), load<f64>(x3 + (<usize>load<i32>(a3, 8) << 3)) <= load<f64>(a3));
        }
        const o = out + (<usize>i << 3);
        store<f64>(o, load<f64>(o) + load<f64>(leaves + (p0 << 3)));
        store<f64>(o, load<f64>(o, 8) + load<f64>(leaves + (p1 << 3)), 8);
        store<f64>(o, load<f64>(o, 16) + load<f64>(leaves + (p2 << 3)), 16);
        store<f64>(o, load<f64>(o, 24) + load<f64>(leaves + (p3 << 3)), 24);
      }
      for (; i < e; i++) {
        const row = x + <usize>i * rowBytes;
        let p: usize = 0;
        for (let s = 0; s < depth; s++) {
          const a = tree + (p << 4);
          p = select<usize>(p + 1, <usize>load<i32>(a, 12), load<f64>(row + (<usize>load<i32>(a, 8) << 3)) <= load<f64>(a));
        }
        const o = out + (<usize>i << 3);
        store<f64>(o, load<f64>(o) + load<f64>(leaves + (p << 3)));
      }
    }
  }
}
