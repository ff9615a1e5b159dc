// How much of each file in a checkpoint folder an importer reads, the same for the CLI's folder reader and the
// app's folder picker: weights, configs and tokenizer files in full; pickle-style files (.bin/.pt/...) only
// their first bytes, enough for the format layer to recognise and refuse them by name when they are the only
// weights (Trainer's optimizer.pt, scheduler.pt and rng_state.pth sit beside model.safetensors); anything else
// (TensorBoard events, logs) not at all.

/** Files the format layer reads in full. */
const READ_IN_FULL = /\.(json|safetensors|txt|md|bpe)$/i;
/** Pickle-style files: only PICKLE_HEAD_BYTES of them are read. */
const PICKLE_NAMES = /\.(bin|pt|pth|ckpt|pkl|pickle)$/i;
/** A pickle's or a zip's magic bytes are in its first few bytes (safetensors.ts pickleKind). */
export const PICKLE_HEAD_BYTES = 64;

export type ReadExtent = 'whole' | 'head' | 'skip';

export function readExtent(fileName: string): ReadExtent {
  if (READ_IN_FULL.test(fileName)) return 'whole';
  if (PICKLE_NAMES.test(fileName)) return 'head';
  return 'skip';
}
