/** A growable log of numbers (latencies, waits) with exact quantiles over what it holds. */
export class SampleLog {
  private data = new Float64Array(1024);
  private n = 0;
  private sum = 0;
  private maxV = -Infinity;

  push(v: number): void {
    if (this.n === this.data.length) {
      const d = new Float64Array(this.n * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.n++] = v;
    this.sum += v;
    if (v > this.maxV) this.maxV = v;
  }

  get count(): number {
    return this.n;
  }

  mean(): number {
    return this.n > 0 ? this.sum / this.n : NaN;
  }

  max(): number {
    return this.n > 0 ? this.maxV : NaN;
  }

  /**
   * Quantiles (d3-array's R-7 definition, as `quantileSorted` over the sorted values) for each p in ps;
   * NaN when empty. The values must be finite. Reorders the log in place: instead of sorting all n values
   * (what this did before issue 24) it selects only the order statistics
   * R-7 reads, x[⌊(n−1)p⌋] and the next one, by quickselect — the same numbers, in O(n) per quantile.
   */
  quantiles(ps: readonly number[]): number[] {
    const n = this.n;
    if (n === 0) return ps.map(() => NaN);
    const a = this.data;
    // Ascending p, so each selection works on the part right of the last one.
    const order = ps.map((_, i) => i).sort((x, y) => ps[x]! - ps[y]!);
    const out = new Array<number>(ps.length);
    let lo = 0; // a[0..lo) holds the lo smallest values; a[lo..n) the rest, unordered
    let lastRank = -1;
    let lastValue = NaN;
    const rank = (r: number): number => {
      if (r !== lastRank) {
        lastValue = this.orderStat(r, lo);
        lastRank = r;
        lo = r + 1;
      }
      return lastValue;
    };
    for (const k of order) {
      const p = ps[k]!;
      if (Number.isNaN(p)) out[k] = NaN;
      else if (n < 2 || p <= 0) out[k] = rank(0);
      else if (p >= 1) out[k] = rank(n - 1);
      else {
        const h = (n - 1) * p;
        const i0 = Math.floor(h);
        const v0 = rank(i0);
        // The next order statistic: the least value right of i0.
        let v1 = a[i0 + 1]!;
        for (let i = i0 + 2; i < n; i++) if (a[i]! < v1) v1 = a[i]!;
        out[k] = v0 + (v1 - v0) * (h - i0);
      }
    }
    return out;
  }

  /**
   * The value of rank r (0-based, ascending), r ≥ lo, given that a[0..lo) already holds the lo smallest:
   * quickselect (Hoare partition, median-of-three pivot) on a[lo..n), leaving a[r] in place with nothing
   * greater left of it and nothing smaller right of it.
   */
  private orderStat(r: number, lo: number): number {
    const a = this.data;
    let left = lo;
    let right = this.n - 1;
    while (right > left) {
      const mid = (left + right) >>> 1;
      // Median of three as the pivot value.
      const x = a[left]!,
        y = a[mid]!;
      const pivot = Math.max(Math.min(x, y), Math.min(Math.max(x, y), a[right]!));
      let i = left;
      let j = right;
      while (i <= j) {
        while (a[i]! < pivot) i++;
        while (a[j]! > pivot) j--;
        if (i <= j) {
          const t = a[i]!;
          a[i] = a[j]!;
          a[j] = t;
          i++;
          j--;
        }
      }
      // a[left..j] ≤ pivot ≤ a[i..right], and a[j+1..i-1] (if any) equal the pivot.
      if (r <= j) right = j;
      else if (r >= i) left = i;
      else return a[r]!;
    }
    return a[r]!;
  }

  clear(): void {
    this.n = 0;
    this.sum = 0;
    this.maxV = -Infinity;
  }
}
