/**
 * A FIFO ring buffer with a hard capacity, used by `AsyncLogSink` as its queue.
 *
 * `push`, `shift` and `take` are O(1) per element (no `Array#shift` on a big array). Storage starts
 * small and doubles up to the capacity, so a sink with a large bound costs memory only when it
 * actually fills up. Slots are cleared when elements leave, so the queue never retains them.
 *
 * Internal: not re-exported.
 */
export class RingQueue<T> {
  /** The maximum number of elements. */
  readonly capacity: number;
  #buf: (T | undefined)[];
  #head = 0;
  #size = 0;

  constructor(capacity: number, initialSlots = 1024) {
    this.capacity = capacity;
    this.#buf = new Array<T | undefined>(Math.min(capacity, initialSlots));
  }

  /** Number of queued elements. */
  get length(): number {
    return this.#size;
  }

  /** Appends at the tail. Returns `false` (and stores nothing) when the queue is at capacity. */
  push(value: T): boolean {
    if (this.#size >= this.capacity) return false;
    if (this.#size === this.#buf.length) this.#grow();
    const mask = this.#buf.length;
    let i = this.#head + this.#size;
    if (i >= mask) i -= mask;
    this.#buf[i] = value;
    this.#size++;
    return true;
  }

  /** Removes and returns the head, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const value = this.#buf[this.#head];
    this.#buf[this.#head] = undefined;
    this.#head++;
    if (this.#head === this.#buf.length) this.#head = 0;
    this.#size--;
    return value;
  }

  /** Removes up to `n` elements from the head and returns them, oldest first, in a new array. */
  take(n: number): T[] {
    const count = Math.min(n, this.#size);
    const out = new Array<T>(count);
    const len = this.#buf.length;
    for (let k = 0; k < count; k++) {
      out[k] = this.#buf[this.#head] as T;
      this.#buf[this.#head] = undefined;
      this.#head++;
      if (this.#head === len) this.#head = 0;
    }
    this.#size -= count;
    return out;
  }

  #grow(): void {
    const next = new Array<T | undefined>(Math.min(this.capacity, Math.max(16, this.#buf.length * 2)));
    for (let k = 0; k < this.#size; k++) {
      let i = this.#head + k;
      if (i >= this.#buf.length) i -= this.#buf.length;
      next[k] = this.#buf[i];
    }
    this.#buf = next;
    this.#head = 0;
  }
}
