/**
 * A fixed-bucket histogram with Prometheus semantics: bucket i counts observations ≤ upperBounds[i]
 * (`le`), the last, implicit bucket is +Inf. Fixed bounds (not quantile sketches) because SREs compare
 * them to their real `http_request_duration_seconds_bucket` series and sum them across pods exactly.
 */
export class Histogram {
  /** Non-cumulative counts; counts[upperBounds.length] is the +Inf overflow. */
  readonly counts: Float64Array;
  private sum = 0;

  constructor(readonly upperBounds: readonly number[]) {
    for (let i = 1; i < upperBounds.length; i++) {
      if (!(upperBounds[i]! > upperBounds[i - 1]!)) throw new Error('histogram bounds must increase strictly');
    }
    this.counts = new Float64Array(upperBounds.length + 1);
  }

  observe(v: number): void {
    this.observeIn(this.bucket(v), v);
  }

  /** The bucket v falls in: the first bound ≥ v, or the +Inf bucket (upperBounds.length). */
  bucket(v: number): number {
    // Binary search; the bucket list is short, but this stays O(log n) for long ones.
    const b = this.upperBounds;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (b[mid]! >= v) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /**
   * observe(v) with v's bucket already found by `bucket(v)` of a histogram with the same bounds: two
   * histograms of one value (the run's and the interval's) search the bounds once.
   */
  observeIn(bucket: number, v: number): void {
    this.counts[bucket]!++;
    this.sum += v;
  }

  get count(): number {
    let n = 0;
    for (const c of this.counts) n += c;
    return n;
  }

  /** Cumulative counts per bound, +Inf last (Prometheus `_bucket{le=...}`). */
  cumulative(): number[] {
    let acc = 0;
    return Array.from(this.counts, (c) => (acc += c));
  }

  clear(): void {
    this.counts.fill(0);
    this.sum = 0;
  }

  /** JSON form: `le` bounds (the last, +Inf, as the string "+Inf"), cumulative counts, sum. */
  toJSON(): { le: (number | '+Inf')[]; cumulativeCounts: number[]; count: number; sum: number } {
    return { le: [...this.upperBounds, '+Inf'], cumulativeCounts: this.cumulative(), count: this.count, sum: this.sum };
  }
}
