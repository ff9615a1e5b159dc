// Training a byte-level BPE vocabulary on the user's corpus, fast enough for a 10 MB file in a browser
// tab: the corpus is pre-split into chunks (GPT-2's regex) and counted once (unique chunk -> count); pair
// counts are then updated incrementally around each merge (only the words that contain the merged pair
// are touched, found through a pair -> words index) and the next pair comes from a lazily-validated heap.
// Ties go to the lowest pair of ids, so the same corpus always gives the same merges.
//
// The core is a generator that pauses every few thousand steps; trainBpe (async) hands the event loop
// back about every 30 ms so that a Web Worker still receives messages (an AbortSignal can stop it),
// trainBpeSync runs it straight through.
import { BYTE_VOCAB_SIZE, ByteBpeTokenizer } from './bpe.ts';
import { PAIR_BASE, pairKey } from './bpe-merge.ts';
import { chunksOf, DEFAULT_MAX_CHUNK_LENGTH, GPT2_SPLIT_PATTERN } from './byte-level.ts';
import { PairHeap } from './pair-heap.ts';

export interface BpeTrainOptions {
  /**
   * Wanted vocabulary size, the 256 byte tokens included (special tokens are added afterwards). Training
   * stops earlier, with a smaller vocabulary, when no pair occurs at least `minPairCount` times any more.
   */
  vocabSize: number;
  /** Pairs seen fewer times than this are never merged (default 2: a pair seen once is not a pattern). */
  minPairCount?: number;
  /** Called with (merges done, merges wanted): at the start, about 200 times during training, and at the end. */
  onProgress?: (merged: number, total: number) => void;
  /** Aborting rejects trainBpe / throws from trainBpeSync with the signal's reason. */
  signal?: AbortSignal;
  /** Pre-split regex source (flags 'gu'); default GPT-2's. */
  pattern?: string;
  /** Cap on chunk length in UTF-16 code units; default 64 (see byte-level.ts). */
  maxChunkLength?: number;
}

/** Hand the event loop back after this long. */
const SLICE_MS = 30;
/** Steps between pauses of the core generator (chunks counted, words indexed). */
const STEPS_PER_PAUSE = 4096;

export async function trainBpe(corpus: string, options: BpeTrainOptions): Promise<ByteBpeTokenizer> {
  const core = trainCore(corpus, options);
  let sliceStart = performance.now();
  for (;;) {
    options.signal?.throwIfAborted();
    const step = core.next();
    if (step.done) return build(step.value, options);
    if (performance.now() - sliceStart > SLICE_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      sliceStart = performance.now();
    }
  }
}

export function trainBpeSync(corpus: string, options: BpeTrainOptions): ByteBpeTokenizer {
  const core = trainCore(corpus, options);
  for (;;) {
    options.signal?.throwIfAborted();
    const step = core.next();
    if (step.done) return build(step.value, options);
  }
}

function build(merges: number[], options: BpeTrainOptions): ByteBpeTokenizer {
  return new ByteBpeTokenizer(merges, {
    pattern: options.pattern ?? GPT2_SPLIT_PATTERN,
    maxChunkLength: options.maxChunkLength ?? DEFAULT_MAX_CHUNK_LENGTH,
  });
}

/** Yields now and then (pause points); returns the flat merge pairs. */
function* trainCore(corpus: string, options: BpeTrainOptions): Generator<void, number[], undefined> {
  const { vocabSize, onProgress } = options;
  const minPairCount = Math.max(1, options.minPairCount ?? 2);
  if (!Number.isInteger(vocabSize) || vocabSize < BYTE_VOCAB_SIZE || vocabSize > PAIR_BASE) {
    throw new RangeError(`vocabSize must be an integer from ${BYTE_VOCAB_SIZE} to ${PAIR_BASE}, got ${vocabSize}.`);
  }
  const total = vocabSize - BYTE_VOCAB_SIZE;

  // 1. Unique chunks with their counts.
  const regex = new RegExp(options.pattern ?? GPT2_SPLIT_PATTERN, 'gu');
  const chunkCounts = new Map<string, number>();
  let steps = 0;
  for (const chunk of chunksOf(corpus, regex, options.maxChunkLength ?? DEFAULT_MAX_CHUNK_LENGTH)) {
    chunkCounts.set(chunk, (chunkCounts.get(chunk) ?? 0) + 1);
    if (++steps % STEPS_PER_PAUSE === 0) yield;
  }

  // 2. Words as byte ids (all in one array: word w is symbols[start[w], start[w] + length[w])), pair counts,
  // and the words each pair occurs in.
  const utf8 = new TextEncoder();
  const wordCount = chunkCounts.size;
  const start = new Int32Array(wordCount);
  const length = new Int32Array(wordCount);
  const freqs = new Float64Array(wordCount);
  let totalBytes = 0;
  const encoded: Uint8Array[] = [];
  for (const [chunk, count] of chunkCounts) {
    const bytes = utf8.encode(chunk);
    const w = encoded.length;
    encoded.push(bytes);
    start[w] = totalBytes;
    length[w] = bytes.length;
    freqs[w] = count;
    totalBytes += bytes.length;
    if (w % STEPS_PER_PAUSE === 0) yield;
  }
  chunkCounts.clear();
  const symbols = new Int32Array(totalBytes);
  for (let w = 0; w < wordCount; w++) symbols.set(encoded[w]!, start[w]);
  encoded.length = 0;

  const counts = new Map<number, number>();
  const where = new Map<number, number[]>();
  const noteWord = (key: number, w: number): void => {
    const list = where.get(key);
    if (list === undefined) where.set(key, [w]);
    else if (list[list.length - 1] !== w) list.push(w);
  };
  for (let w = 0; w < wordCount; w++) {
    const f = freqs[w]!;
    const end = start[w]! + length[w]!;
    for (let i = start[w]!; i + 1 < end; i++) {
      const key = pairKey(symbols[i]!, symbols[i + 1]!);
      counts.set(key, (counts.get(key) ?? 0) + f);
      noteWord(key, w);
    }
    if (w % STEPS_PER_PAUSE === 0) yield;
  }
  const heap = PairHeap.from([...counts]);
  yield;

  // 3. Merges.
  const merges: number[] = [];
  const visited = new Int32Array(wordCount).fill(-1);
  const deltas = new Map<number, number>();
  const reportEvery = Math.max(1, Math.floor(total / 200));
  onProgress?.(0, total);
  for (let m = 0; m < total; m++) {
    // The best live pair: pop stale entries, re-queue those whose count went down.
    let key = -1;
    while (heap.size > 0) {
      const k = heap.peekKey();
      const queued = heap.peekCount();
      const live = counts.get(k) ?? 0;
      if (live === queued) {
        key = k;
        break;
      }
      heap.pop();
      if (live >= minPairCount) heap.push(live, k);
    }
    if (key < 0 || heap.peekCount() < minPairCount) break;
    heap.pop();
    const a = Math.floor(key / PAIR_BASE);
    const b = key - a * PAIR_BASE;
    const c = BYTE_VOCAB_SIZE + m;
    merges.push(a, b);

    deltas.clear();
    const change = (x: number, y: number, delta: number): void => {
      const k = pairKey(x, y);
      deltas.set(k, (deltas.get(k) ?? 0) + delta);
    };
    for (const w of where.get(key) ?? []) {
      if (visited[w] === m) continue;
      visited[w] = m;
      // Merge in place: the write index j never passes the read index i.
      const first = start[w]!;
      const end = first + length[w]!;
      const f = freqs[w]!;
      let j = first;
      for (let i = first; i < end; i++) {
        if (symbols[i] === a && i + 1 < end && symbols[i + 1] === b) {
          if (j > first) {
            const before = symbols[j - 1]!;
            change(before, a, -f);
            change(before, c, f);
            noteWord(pairKey(before, c), w);
          }
          if (i + 2 < end) {
            const after = symbols[i + 2]!;
            change(b, after, -f);
            change(c, after, f);
            noteWord(pairKey(c, after), w);
          }
          change(a, b, -f);
          symbols[j++] = c;
          i++;
        } else {
          symbols[j++] = symbols[i]!;
        }
      }
      length[w] = j - first;
    }
    where.delete(key);
    for (const [k, delta] of deltas) {
      if (delta === 0) continue;
      const live = (counts.get(k) ?? 0) + delta;
      if (live > 0) counts.set(k, live);
      else counts.delete(k);
      if (delta > 0 && live >= minPairCount) heap.push(live, k);
    }
    counts.delete(key);
    if ((m + 1) % reportEvery === 0 && m + 1 < total) onProgress?.(m + 1, total);
    yield;
  }
  onProgress?.(merges.length / 2, total);
  return merges;
}
