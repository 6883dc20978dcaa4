/** An entry waiting in the delaying queue. */
export interface Waiting<K> {
  key: K;
  readyAt: number;
  seq: number;
  index: number;
}

/**
 * Min-heap of waiting keys ordered by ready time (then insertion order), with O(log n) update of an entry.
 * Hand-written: ~50 lines, and the heap libraries on npm do not support in-place priority changes by handle.
 */
export class TimerHeap<K> {
  readonly #items: Waiting<K>[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): Waiting<K> | undefined {
    return this.#items[0];
  }

  push(entry: Waiting<K>): void {
    entry.index = this.#items.length;
    this.#items.push(entry);
    this.#up(entry.index);
  }

  pop(): Waiting<K> | undefined {
    const top = this.#items[0];
    if (!top) return undefined;
    const last = this.#items.pop()!;
    if (last !== top) {
      last.index = 0;
      this.#items[0] = last;
      this.#down(0);
    }
    top.index = -1;
    return top;
  }

  /** Re-establishes heap order after `entry.readyAt` was lowered. */
  decreased(entry: Waiting<K>): void {
    this.#up(entry.index);
  }

  clear(): void {
    this.#items.length = 0;
  }

  #less(a: Waiting<K>, b: Waiting<K>): boolean {
    return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq);
  }

  #swap(i: number, j: number): void {
    const a = this.#items[i]!;
    const b = this.#items[j]!;
    this.#items[i] = b;
    this.#items[j] = a;
    a.index = j;
    b.index = i;
  }

  #up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(this.#items[i]!, this.#items[parent]!)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const n = this.#items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < n && this.#less(this.#items[l]!, this.#items[min]!)) min = l;
      if (r < n && this.#less(this.#items[r]!, this.#items[min]!)) min = r;
      if (min === i) break;
      this.#swap(i, min);
      i = min;
    }
  }
}
