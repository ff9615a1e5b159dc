// Next-token targets inside fixed sequences, as Hugging Face computes its LM loss: position t predicts
// token t+1 of the same sequence; the last position has no target (ignored).
import { IGNORE_INDEX } from '../ops/crossentropy.ts';

/** ids [S, T] -> targets [S, T] with targets[s, T-1] = IGNORE_INDEX; also ignores positions past `lengths`. */
export function shiftedTargets(ids: Uint32Array, T: number, lengths?: ArrayLike<number>): Uint32Array<ArrayBuffer> {
  const targets = new Uint32Array(ids.length).fill(IGNORE_INDEX);
  const S = ids.length / T;
  for (let s = 0; s < S; s++) {
    const length = lengths ? lengths[s]! : T;
    for (let t = 0; t + 1 < length; t++) targets[s * T + t] = ids[s * T + t + 1]!;
  }
  return targets;
}
