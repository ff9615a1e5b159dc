// Counter-based random numbers, identical to src/runtime/random.ts: the value for (seed, stream, index)
// is a pure hash, so dropout masks are recomputed in backward instead of stored, and a run with the same
// seed reproduces bit for bit. Hash: "lowbias32" (C. Wellons, hash-prospector), 32-bit, no state.
// Include with: #include "random.wgsl"

fn lowbias32(v: u32) -> u32 {
  var x = v;
  x = x ^ (x >> 16u);
  x = x * 0x7feb352du;
  x = x ^ (x >> 15u);
  x = x * 0x846ca68bu;
  x = x ^ (x >> 16u);
  return x;
}

/** A u32 for element `index` of random stream `stream` under run seed `seed`. */
fn random_u32(seed: u32, stream: u32, index: u32) -> u32 {
  return lowbias32(index + lowbias32(stream + lowbias32(seed)));
}

/** Uniform in [0, 1) with 24 bits (exactly representable in f32). */
fn random_uniform(seed: u32, stream: u32, index: u32) -> f32 {
  return f32(random_u32(seed, stream, index) >> 8u) * (1.0 / 16777216.0);
}

/** Inverted dropout: the multiplier for one element, 0 or 1/(1-p). p = 0 keeps everything. */
fn dropout_scale(seed: u32, stream: u32, index: u32, p: f32) -> f32 {
  if (p <= 0.0) { return 1.0; }
  return select(0.0, 1.0 / (1.0 - p), random_uniform(seed, stream, index) >= p);
}
