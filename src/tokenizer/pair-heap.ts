// Max-heap of (count, pair key) for the BPE trainer: the highest count first, ties broken by the lowest
// pair key (lowest left id, then lowest right id), which makes training deterministic. Entries can go
// stale; the trainer checks each popped count against the live count (lazy deletion).

export class PairHeap {
  private readonly counts: number[] = [];
  private readonly keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  /** Builds the heap from all entries at once, O(n). */
  static from(entries: Iterable<readonly [key: number, count: number]>): PairHeap {
    const heap = new PairHeap();
    for (const [key, count] of entries) {
      heap.keys.push(key);
      heap.counts.push(count);
    }
    for (let i = (heap.size >> 1) - 1; i >= 0; i--) heap.siftDown(i);
    return heap;
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    this.siftUp(this.counts.length - 1);
  }

  peekCount(): number {
    return this.counts[0]!;
  }

  peekKey(): number {
    return this.keys[0]!;
  }

  pop(): void {
    const lastCount = this.counts.pop()!;
    const lastKey = this.keys.pop()!;
    if (this.counts.length > 0) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      this.siftDown(0);
    }
  }

  /** Whether entry i should sit above entry j. */
  private before(i: number, j: number): boolean {
    const ci = this.counts[i]!;
    const cj = this.counts[j]!;
    return ci > cj || (ci === cj && this.keys[i]! < this.keys[j]!);
  }

  private swap(i: number, j: number): void {
    const c = this.counts[i]!;
    this.counts[i] = this.counts[j]!;
    this.counts[j] = c;
    const k = this.keys[i]!;
    this.keys[i] = this.keys[j]!;
    this.keys[j] = k;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.counts.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const c = r < n && this.before(r, l) ? r : l;
      if (!this.before(c, i)) return;
      this.swap(i, c);
      i = c;
    }
  }
}
