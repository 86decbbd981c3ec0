const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Index of the high 32 bits of a float64 in u32 (little- or big-endian host). */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/**
 * A double's key for `Histogram.bucket`: sign, exponent and top two mantissa bits (its high word's top 14
 * bits), so keys of positive values rise with the value; a negative value's (or NaN's) key is past them all.
 */
function keyOf(v: number): number {
  f64[0] = v;
  return u32[HI]! >>> 18;
}

/** The least double of key k (its other bits zero). */
function lowestOfKey(k: number): number {
  u32[HI] = k << 18;
  u32[1 - HI] = 0;
  return f64[0]!;
}

/**
 * A fixed-bucket histogram with Prometheus semantics: bucket i counts observations ≤ upperBounds[i]
 * (`le`), the last, implicit bucket is +Inf. Fixed bounds (not quantile sketches) because SREs compare
 * them to their real `http_request_duration_seconds_bucket` series and sum them across pods exactly.
 */
export class Histogram {
  /** Non-cumulative counts; counts[upperBounds.length] is the +Inf overflow. */
  readonly counts: Float64Array;
  private sum = 0;
  /** The bounds as doubles, and the start of `bucket`'s scan per key (see there). */
  private readonly bounds: Float64Array;
  private readonly firstAt: Int32Array;
  /** The key of the table's first entry. */
  private readonly key0: number;

  constructor(readonly upperBounds: readonly number[]) {
    for (let i = 1; i < upperBounds.length; i++) {
      if (!(upperBounds[i]! > upperBounds[i - 1]!)) throw new Error('histogram bounds must increase strictly');
    }
    this.counts = new Float64Array(upperBounds.length + 1);
    this.bounds = Float64Array.from(upperBounds);
    // Keys from a quarter of the first bound to four times the last (positive bounds: a latency's; other
    // bounds get an empty table and the binary search).
    const lo = upperBounds[0]!,
      hi = upperBounds[upperBounds.length - 1]!;
    const ok = lo > 0 && Number.isFinite(hi);
    this.key0 = ok ? keyOf(lo / 4) : 0;
    const n = ok ? keyOf(hi * 4) - this.key0 + 1 : 0;
    this.firstAt = new Int32Array(n);
    for (let k = 0; k < n; k++) this.firstAt[k] = this.search(lowestOfKey(k + this.key0));
  }

  observe(v: number): void {
    this.observeIn(this.bucket(v), v);
  }

  /**
   * The bucket v falls in: the first bound ≥ v, or the +Inf bucket (upperBounds.length). A latency's
   * bucket was a binary search whose branches a random latency mispredicts (~1.5 % of the cluster
   * benchmark, issue 24); now v's key (its exponent and top two mantissa bits: 4 keys per power of two)
   * gives the bucket of the key's lowest value, where the first bound ≥ v is or from where a short scan
   * reaches it. The same bucket either way; values outside the table's keys take the binary search.
   */
  bucket(v: number): number {
    const k = keyOf(v) - this.key0;
    if (k >= 0 && k < this.firstAt.length) {
      const b = this.bounds;
      let j = this.firstAt[k]!;
      while (j < b.length && b[j]! < v) j++;
      return j;
    }
    return this.search(v);
  }

  /** The first bound ≥ v by binary search (upperBounds.length if none). */
  private search(v: number): number {
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
