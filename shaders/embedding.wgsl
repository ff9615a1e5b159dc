// GPT-1's input embedding (Hugging Face OpenAIGPTModel semantics):
//   out[b,t,:] = wte[ids[b,t],:] + wpe[t,:] (+ wte[token_type_ids[b,t],:] when token types are given)
// and its backward. dwpe is a fixed-order sum over the batch. dwte is a scatter-add done without atomics:
// the host sorts the contributions by token id (src/ops/embedding.ts, buildEmbeddingIndex) and one
// workgroup owns each distinct token's row, so every gradient element has exactly one writer.

struct Params {
  B: u32,
  T: u32,
  C: u32,
  maxT: u32,       // rows of wpe (T <= maxT)
  M: u32,          // entries of the dwte index: B*T, or 2*B*T with token types
  accumulate: u32, // backward: 0 overwrites, 1 adds (dwte: only the rows of tokens present; see below)
}

@group(0) @binding(0) var<storage, read> ids: array<u32>;            // [B, T]
@group(0) @binding(1) var<storage, read> token_type_ids: array<u32>; // [B, T]
@group(0) @binding(2) var<storage, read> wte: array<f32>;            // [V, C]
@group(0) @binding(3) var<storage, read> wpe: array<f32>;            // [maxT, C]
@group(0) @binding(4) var<storage, read_write> out: array<f32>;      // [B, T, C]
@group(0) @binding(5) var<storage, read> dout: array<f32>;           // [B, T, C]
@group(0) @binding(6) var<storage, read_write> dwte: array<f32>;     // [V, C]
@group(0) @binding(7) var<storage, read_write> dwpe: array<f32>;     // [maxT, C]
// The dwte index (M = B*T entries, 2*B*T with token types), rebuilt by the host every step:
@group(0) @binding(8) var<storage, read> index_pos: array<u32>;   // [M] positions b*T+t, grouped by token (stable)
@group(0) @binding(9) var<storage, read> index_token: array<u32>; // [M] group k's token id (k < distinct count)
@group(0) @binding(10) var<storage, read> index_start: array<u32>; // [M+1] group k is index_pos[start[k]..start[k+1]]
@group(0) @binding(11) var<uniform> params: Params;

const WG: u32 = 256u;

fn flat_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@compute @workgroup_size(WG)
fn embedding_forward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  let C = params.C;
  if (i >= params.B * params.T * C) { return; }
  let bt = i / C;
  let c = i - bt * C;
  let t = bt % params.T;
  out[i] = wte[ids[bt] * C + c] + wpe[t * C + c];
}

@compute @workgroup_size(WG)
fn embedding_forward_typed(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  let C = params.C;
  if (i >= params.B * params.T * C) { return; }
  let bt = i / C;
  let c = i - bt * C;
  let t = bt % params.T;
  // Same order of additions as HF: (inputs_embeds + position_embeds) + token_type_embeds.
  out[i] = (wte[ids[bt] * C + c] + wpe[t * C + c]) + wte[token_type_ids[bt] * C + c];
}

// dwpe[t,:] (+)= sum over b of dout[b,t,:], b ascending. One thread per element of dwpe; rows t >= T
// (positions this batch does not reach) have zero gradient: zeroed when accumulate = 0, else untouched.
@compute @workgroup_size(WG)
fn embedding_backward_wpe(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flat_index(gid, nwg);
  let C = params.C;
  if (i >= params.maxT * C) { return; }
  let t = i / C;
  let c = i - t * C;
  if (t >= params.T) {
    if (params.accumulate == 0u) { dwpe[i] = 0.0; }
    return;
  }
  var sum = 0.0;
  for (var b = 0u; b < params.B; b++) {
    sum += dout[(b * params.T + t) * C + c];
  }
  dwpe[i] = select(sum, dwpe[i] + sum, params.accumulate == 1u);
}

// One workgroup per group k of the index (2-D folded), threads over C. Groups past the distinct-token
// count have an empty range (the host pads index_start with M) and exit at once. Each thread sums
// its column over the token's positions in index order (fixed, so the result is deterministic).
// Only the rows of tokens present are written: with accumulate = 0 the caller zero-fills dwte first,
// because the gradient of a vocabulary row that no position uses is 0, not stale data.
@compute @workgroup_size(WG)
fn embedding_backward_wte(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
) {
  let k = wid.x + wid.y * nwg.x;
  if (k >= params.M) { return; } // the 2-D fold may overshoot
  let start = index_start[k];
  let end = index_start[k + 1u];
  if (start >= end) { return; }
  let C = params.C;
  let row = index_token[k] * C;
  for (var c = lid.x; c < C; c += WG) {
    var sum = 0.0;
    for (var e = start; e < end; e++) {
      sum += dout[index_pos[e] * C + c];
    }
    dwte[row + c] = select(sum, dwte[row + c] + sum, params.accumulate == 1u);
  }
}
