// Applying ranked BPE merges to one word's symbol ids, shared by the GPT-1 tokenizer and the byte-level
// BPE tokenizer. Two equivalent algorithms: the reference loop (merge every occurrence of the lowest-rank
// pair, left to right, repeat; as GPT-1's and Hugging Face's Python code do) and a linked list with a
// min-heap for long words (O(n log n) instead of O(n^2)). They give the same result when every token is
// produced by one merge only and every merge that uses a token ranks after the merge that produces it.

/** Ids must stay below this so that a pair of ids packs into one exact float: a * PAIR_BASE + b. */
export const PAIR_BASE = 2 ** 21;

/** Words longer than this (in symbols) use the heap algorithm when the table allows it. */
const HEAP_THRESHOLD = 64;

export function pairKey(a: number, b: number): number {
  return a * PAIR_BASE + b;
}

export class MergeTable {
  /** pairKey -> rank. */
  private readonly ranks = new Map<number, number>();
  /** rank -> id of the merged token. */
  private readonly products: number[] = [];
  /** Whether the heap algorithm gives the reference result (see the file header). */
  readonly heapSafe: boolean;

  /** `pairs[r]` = [left id, right id, product id] of the merge of rank r. */
  constructor(pairs: ReadonlyArray<readonly [number, number, number]>) {
    // Python's dict(zip(merges, ranks)) and Hugging Face's Rust loader keep the last rank of a repeated pair.
    const producedAt = new Map<number, number>();
    let heapSafe = true;
    pairs.forEach(([a, b, product], rank) => {
      if (a < 0 || b < 0 || a >= PAIR_BASE || b >= PAIR_BASE) throw new RangeError(`Merge ${rank}: id out of range.`);
      const key = pairKey(a, b);
      if (this.ranks.has(key)) heapSafe = false;
      this.ranks.set(key, rank);
      this.products.push(product);
      if (producedAt.has(product)) heapSafe = false;
      else producedAt.set(product, rank);
    });
    // A token used by a merge that ranks before the merge producing it also breaks the ordering argument.
    pairs.forEach(([a, b], rank) => {
      if ((producedAt.get(a) ?? -1) >= rank || (producedAt.get(b) ?? -1) >= rank) heapSafe = false;
    });
    this.heapSafe = heapSafe;
  }

  get size(): number {
    return this.products.length;
  }

  /** Rank of merging (a, b), or -1. Negative ids (symbols outside the vocabulary) never merge. */
  rank(a: number, b: number): number {
    if (a < 0 || b < 0) return -1;
    return this.ranks.get(pairKey(a, b)) ?? -1;
  }

  product(rank: number): number {
    return this.products[rank]!;
  }

  /** Merges `symbols` (not modified) and returns the resulting ids. */
  apply(symbols: readonly number[]): number[] {
    if (symbols.length > HEAP_THRESHOLD && this.heapSafe) return mergeWithHeap(symbols, this);
    return mergeReference(symbols, this);
  }
}

/** The reference algorithm: find the lowest-rank adjacent pair, merge all its occurrences, repeat. */
export function mergeReference(symbols: readonly number[], table: MergeTable): number[] {
  let word = symbols.slice();
  while (word.length > 1) {
    let best = -1;
    for (let i = 0; i + 1 < word.length; i++) {
      const r = table.rank(word[i]!, word[i + 1]!);
      if (r >= 0 && (best < 0 || r < best)) best = r;
    }
    if (best < 0) break;
    const product = table.product(best);
    const next: number[] = [];
    for (let i = 0; i < word.length; i++) {
      if (i + 1 < word.length && table.rank(word[i]!, word[i + 1]!) === best) {
        next.push(product);
        i++;
      } else {
        next.push(word[i]!);
      }
    }
    word = next;
  }
  return word;
}

const GONE = -0x80000000;
/** Heap keys pack (rank, position) into one float: rank * POS_BASE + position. */
const POS_BASE = 2 ** 31;

/** Linked list of symbols plus a min-heap of (rank, position) candidates, validated when popped. */
export function mergeWithHeap(symbols: readonly number[], table: MergeTable): number[] {
  const n = symbols.length;
  if (n === 0) return [];
  if (n >= POS_BASE) throw new RangeError('Word too long.');
  const sym = Int32Array.from(symbols);
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  const heap: number[] = [];
  const push = (i: number, j: number): void => {
    const r = table.rank(sym[i]!, sym[j]!);
    if (r >= 0) heapPush(heap, r * POS_BASE + i);
  };
  for (let i = 0; i + 1 < n; i++) push(i, i + 1);
  while (heap.length > 0) {
    const top = heapPop(heap);
    const rank = Math.floor(top / POS_BASE);
    const i = top - rank * POS_BASE;
    const j = next[i]!;
    if (sym[i] === GONE || j < 0 || table.rank(sym[i]!, sym[j]!) !== rank) continue; // stale candidate
    sym[i] = table.product(rank);
    sym[j] = GONE;
    const k = next[j]!;
    next[i] = k;
    if (k >= 0) prev[k] = i;
    const p = prev[i]!;
    if (p >= 0) push(p, i);
    if (k >= 0) push(i, k);
  }
  const out: number[] = [];
  for (let i = 0; i >= 0; i = next[i]!) out.push(sym[i]!);
  return out;
}

function heapPush(heap: number[], value: number): void {
  let i = heap.length;
  heap.push(value);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const pv = heap[parent]!;
    if (pv <= value) break;
    heap[i] = pv;
    i = parent;
  }
  heap[i] = value;
}

function heapPop(heap: number[]): number {
  const top = heap[0]!;
  const last = heap.pop()!;
  const n = heap.length;
  if (n > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && heap[r]! < heap[l]! ? r : l;
      if (heap[c]! >= last) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = last;
  }
  return top;
}
