// TensorBoard's "classic" smoothing: a debiased exponential moving average (a first-order IIR low-pass).
// Non-finite points pass through and do not advance the accumulator; a constant series is left alone.
// [src: tensorflow/tensorboard webapp/widgets/line_chart_v2/data_transformer.ts]

export function emaSmooth(
  values: ArrayLike<number>,
  weight: number,
  out = new Float64Array(values.length),
): Float64Array {
  const w = Math.min(1, Math.max(0, weight));
  const n = values.length;
  let first = Number.NaN;
  let constant = true;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (Number.isNaN(first)) first = v;
    else if (v !== first) {
      constant = false;
      break;
    }
  }
  if (w === 0 || constant) {
    for (let i = 0; i < n; i++) out[i] = values[i]!;
    return out;
  }
  let last = 0;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * w + (1 - w) * v;
    count++;
    const debias = w === 1 ? 1 : 1 - w ** count;
    out[i] = last / debias;
  }
  return out;
}
