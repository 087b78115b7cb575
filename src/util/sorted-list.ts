/**
 * A list kept in order as items are inserted: blocks of a few hundred items, so an insertion
 * moves at most a block's worth of items (a plain sorted array moves half the list, which at
 * 100,000 items makes building one quadratic). Iteration is in order; `at` walks the blocks.
 *
 * `before(a, b)` is a strict order: true when a comes before b. Items that are neither before
 * the other keep their insertion order.
 *
 * @example
 * const list = new SortedList<number>((a, b) => a < b);
 * [3, 1, 2].forEach((n) => list.insert(n));
 * [...list]; // [1, 2, 3]
 */
export class SortedList<T> implements Iterable<T> {
  private blocks: T[][] = [];
  private count = 0;
  /** Index of each block's first item, rebuilt lazily for `at`. */
  private starts: number[] | undefined;

  constructor(
    private readonly before: (a: T, b: T) => boolean,
    private readonly blockSize = 256,
  ) {}

  /** A list holding `items`, which must already be in order. */
  static fromSorted<T>(before: (a: T, b: T) => boolean, items: readonly T[], blockSize = 256): SortedList<T> {
    const list = new SortedList(before, blockSize);
    for (let i = 0; i < items.length; i += blockSize) list.blocks.push(items.slice(i, i + blockSize));
    list.count = items.length;
    return list;
  }

  get length(): number {
    return this.count;
  }

  /** The first item, if any. */
  first(): T | undefined {
    return this.blocks[0]?.[0];
  }

  insert(item: T): void {
    this.starts = undefined;
    this.count += 1;
    const blocks = this.blocks;
    if (blocks.length === 0) {
      blocks.push([item]);
      return;
    }
    // The first block whose last item the new one does not come after (else the last block).
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = blocks[mid] as T[];
      if (this.before(item, block[block.length - 1] as T)) hi = mid;
      else lo = mid + 1;
    }
    const block = blocks[lo] as T[];
    let at = 0;
    let end = block.length;
    while (at < end) {
      const mid = (at + end) >>> 1;
      if (this.before(item, block[mid] as T)) end = mid;
      else at = mid + 1;
    }
    block.splice(at, 0, item);
    if (block.length > 2 * this.blockSize) blocks.splice(lo + 1, 0, block.splice(this.blockSize));
  }

  /** The item at position `index` in order. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.count) return undefined;
    const starts = this.startsOf();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((starts[mid] as number) <= index) lo = mid;
      else hi = mid - 1;
    }
    return this.blocks[lo]?.[index - (starts[lo] as number)];
  }

  /** Position of the first item for which `atOrAfter` holds (it must hold for a suffix of the list). */
  firstIndex(atOrAfter: (item: T) => boolean): number {
    let index = 0;
    for (const block of this.blocks) {
      const last = block[block.length - 1] as T;
      if (!atOrAfter(last)) {
        index += block.length;
        continue;
      }
      let lo = 0;
      let hi = block.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (atOrAfter(block[mid] as T)) hi = mid;
        else lo = mid + 1;
      }
      return index + lo;
    }
    return index;
  }

  /** The items from position `start` on, in order. */
  *from(start: number): IterableIterator<T> {
    let offset = 0;
    for (const block of this.blocks) {
      if (offset + block.length > start) {
        for (let i = Math.max(0, start - offset); i < block.length; i += 1) yield block[i] as T;
      }
      offset += block.length;
    }
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (const block of this.blocks) yield* block;
  }

  toArray(): T[] {
    return this.blocks.flat();
  }

  private startsOf(): number[] {
    if (this.starts) return this.starts;
    const starts: number[] = [];
    let offset = 0;
    for (const block of this.blocks) {
      starts.push(offset);
      offset += block.length;
    }
    this.starts = starts;
    return starts;
  }
}
