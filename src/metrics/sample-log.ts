/**
 * Values a SampleLog keeps exactly (16 MiB): above this it folds them into a log-linear histogram, so a
 * day-long run's latency log takes the memory of an hour's. The most a curated run measures is 1.8 M.
 */
export const EXACT_SAMPLES = 1 << 21;

/** Sub-buckets per power of two in the folded histogram: bucket width 2^-10 of its value (≤ 0.05 % error). */
const SUB_BITS = 10;
/** Powers of two the folded histogram covers: 2^-30 … 2^40 (≈ 1 ps … 35 years in ms); outside, clamped. */
const MIN_EXP = -30;
const MAX_EXP = 40;
const BUCKETS = (MAX_EXP - MIN_EXP) << SUB_BITS;
/** IEEE-754 high word of 2^MIN_EXP, shifted to a bucket key. */
const KEY0 = (1023 + MIN_EXP) << SUB_BITS;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
/** Index of the high 32 bits of a float64 in u32 (little- or big-endian host). */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Logs of this many values or more take `radixQuantiles` (below, Floyd–Rivest's selection is as quick). */
const RADIX_MIN = 256;
/** radixQuantiles' buckets at most, its counts, and which buckets it gathers (slot + 1; 0: none). */
const RADIX_BUCKETS = 2048;
const radixCounts = new Int32Array(RADIX_BUCKETS);
const radixWant = new Int32Array(RADIX_BUCKETS);

/**
 * An order-preserving 32-bit key of a finite double: its high word, sign-flipped (positive values) or
 * inverted (negative ones), as an unsigned integer; never decreasing in the value, so −0 (and a negative
 * value that small) takes +0's key. Equal keys: values within 2^-20 of each other (relative).
 */
function keyOf(v: number): number {
  f64[0] = v;
  return keyOfHigh(u32[HI]!);
}

/** keyOf from the double's high word. */
function keyOfHigh(hi: number): number {
  if (hi === 0x80000000) return hi; // −0, or a negative value past 2^-1042: +0's key, which −0 equals
  return (hi & 0x80000000 ? ~hi : hi | 0x80000000) >>> 0;
}

/** The bucket of a positive value: its exponent and top SUB_BITS mantissa bits, clamped to the range. */
function bucketOf(v: number): number {
  f64[0] = v;
  const b = (u32[HI]! >>> (20 - SUB_BITS)) - KEY0;
  return b < 0 ? 0 : b >= BUCKETS ? BUCKETS - 1 : b;
}

/** The middle of bucket b's value range. */
function bucketMid(b: number): number {
  u32[HI] = (b + KEY0) << (20 - SUB_BITS);
  u32[1 - HI] = 0;
  const lo = f64[0]!;
  u32[HI] = (b + 1 + KEY0) << (20 - SUB_BITS);
  return (lo + f64[0]!) / 2;
}

/**
 * A log of numbers (latencies, waits) with quantiles: exact (d3-array's R-7 over every value) up to
 * `exactMax` values; past that the values are folded into a log-linear histogram (bucket width 2^-10 of
 * the value, like HdrHistogram's) and quantiles are within 0.05 % of R-7's (count, mean, min and max stay
 * exact). Memory is bounded either way: 8 bytes a value up to exactMax, then ≈ 560 KiB.
 */
export class SampleLog {
  private data: Float64Array | undefined;
  private counts: Float64Array | undefined;
  /** Values ≤ 0 once folded (waits of exactly 0 are common). */
  private zeros = 0;
  private n = 0;
  private sum = 0;
  private maxV = -Infinity;
  private minV = Infinity;
  /** The exact store's planned size (reserve), which its first growth goes straight to; 0: none. */
  private planned = 0;

  constructor(readonly exactMax = EXACT_SAMPLES) {
    if (!(exactMax >= 1)) throw new Error(`sample log: expected exactMax >= 1, found ${exactMax}`);
    this.data = new Float64Array(Math.min(1024, exactMax));
  }

  push(v: number): void {
    const data = this.data;
    if (data === undefined) this.fold(v);
    else if (this.n < data.length) data[this.n] = v;
    else this.pushSlow(v);
    this.n++;
    this.sum += v;
    if (v > this.maxV) this.maxV = v;
    if (v < this.minV) this.minV = v;
  }

  /**
   * Plan room for `n` values (at most exactMax) in the exact store, for a log whose length is known ahead
   * (the run's latencies: about the arrival rate × the measured time): when the first 1,024 values fill the
   * store, it grows straight to the plan. Doubling from 1,024 copies every value about once more and
   * touches about twice the final store's pages (issue 24: `grow` was 2.5 % of the cluster benchmark at
   * 600 simulated s). Nothing is allocated until then, so a run whose requests stay parked (bench/runtime.ts'
   * bytes per parked G) holds no store for values that never come. Values and quantiles are unchanged.
   */
  reserve(n: number): void {
    this.planned = Math.min(Math.ceil(n), this.exactMax);
  }

  /**
   * push's store when the exact store is full: grown, or folded (issue 24: out of push, whose every byte its
   * inliners pay for). A folded log's pushes fold in push itself (most of an hour-long run's).
   */
  private pushSlow(v: number): void {
    this.grow();
    if (this.data !== undefined) this.data[this.n] = v;
    else this.fold(v);
  }

  /** Double the exact store, or fold it into the histogram when it would pass exactMax. */
  private grow(): void {
    const data = this.data!;
    if (this.n * 2 <= this.exactMax) {
      const d = new Float64Array(Math.max(this.n * 2, this.planned));
      d.set(data);
      this.data = d;
      return;
    }
    if (this.n < this.exactMax) {
      const d = new Float64Array(this.exactMax);
      d.set(data);
      this.data = d;
      return;
    }
    this.counts = new Float64Array(BUCKETS);
    this.data = undefined;
    for (let i = 0; i < this.n; i++) this.fold(data[i]!);
  }

  private fold(v: number): void {
    if (v > 0) this.counts![bucketOf(v)]!++;
    else this.zeros++;
  }

  get count(): number {
    return this.n;
  }

  /** Quantiles are exact (every value is still held). */
  get exact(): boolean {
    return this.data !== undefined;
  }

  mean(): number {
    return this.n > 0 ? this.sum / this.n : NaN;
  }

  max(): number {
    return this.n > 0 ? this.maxV : NaN;
  }

  /**
   * Quantiles (d3-array's R-7 definition, as `quantileSorted` over the sorted values) for each p in ps;
   * NaN when empty. The values must be finite. Exact while every value is held (`exact`); after folding,
   * R-7 over the histogram (foldedQuantile). Reorders the log in place: instead of sorting all n values
   * (what this did before issue 24) it selects only the order statistics
   * R-7 reads, x[⌊(n−1)p⌋] and the next one, by quickselect — the same numbers, in O(n) per quantile.
   */
  quantiles(ps: readonly number[]): number[] {
    const n = this.n;
    if (n === 0) return ps.map(() => NaN);
    const a = this.data;
    if (a === undefined) return ps.map((p) => this.foldedQuantile(p));
    if (n >= RADIX_MIN) return this.radixQuantiles(ps);
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
   * `quantiles` for a log of RADIX_MIN values or more: the order statistics R-7 reads found by one counting
   * pass over the values' keys (their high words, order-preserving, shifted into ≤ RADIX_BUCKETS buckets
   * between the log's min and max), a scan of the counts, and one pass gathering the values of the buckets
   * those ranks fall in, selected among themselves. Branch-light passes, where Floyd–Rivest's partitions
   * mispredict about half their comparisons on random values: a time series' interval p50/p99 of 2,000
   * latencies 32–37 → 19–22 µs a sample (issue 24). Every long log takes it too (the end of the run's): left
   * to Floyd–Rivest alone, those ran cold at the end of the run, +30–45 ms at 900 simulated s. The same order
   * statistics, so the same numbers (a fast-check property against sort + d3's quantileSorted).
   */
  private radixQuantiles(ps: readonly number[]): number[] {
    const a = this.data!;
    const n = this.n;
    const k0 = keyOf(this.minV);
    const span = keyOf(this.maxV) - k0;
    let shift = 0;
    while (span >>> shift >= RADIX_BUCKETS) shift++;
    const nb = (span >>> shift) + 1;
    const counts = radixCounts;
    counts.fill(0, 0, nb);
    // The values' high words, read in place (keyOf's round trip through a scratch double costs a pass).
    const words = new Uint32Array(a.buffer, a.byteOffset, 2 * n);
    for (let i = HI; i < 2 * n; i += 2) counts[(keyOfHigh(words[i]!) - k0) >>> shift]!++;
    // The ranks R-7 reads: per p, ⌊(n−1)p⌋ and the next (clamped).
    const ranks: number[] = [];
    for (const p of ps) {
      if (Number.isNaN(p)) continue;
      const h = (n - 1) * Math.min(1, Math.max(0, p));
      const i0 = Math.floor(h);
      ranks.push(i0, Math.min(i0 + 1, n - 1));
    }
    ranks.sort((x, y) => x - y);
    // Each rank's bucket and its rank within the bucket; a bucket is gathered once (want: slot + 1).
    const want = radixWant;
    const rankBucket: number[] = [];
    const rankIn: number[] = [];
    const buckets: number[] = [];
    let b = 0;
    let before = 0;
    for (const r of ranks) {
      while (before + counts[b]! <= r) before += counts[b++]!;
      rankBucket.push(b);
      rankIn.push(r - before);
      if (buckets[buckets.length - 1] !== b) buckets.push(b);
    }
    const gathered: Float64Array[] = [];
    const filled = new Int32Array(buckets.length);
    for (let j = 0; j < buckets.length; j++) {
      want[buckets[j]!] = j + 1;
      gathered.push(new Float64Array(counts[buckets[j]!]!));
    }
    for (let i = 0; i < n; i++) {
      const w = want[(keyOfHigh(words[2 * i + HI]!) - k0) >>> shift]!;
      if (w !== 0) gathered[w - 1]![filled[w - 1]!++] = a[i]!;
    }
    for (const bk of buckets) want[bk] = 0;
    const ofRank = (r: number): number => {
      const j = ranks.indexOf(r);
      const g = gathered[buckets.indexOf(rankBucket[j]!)]!;
      select(g, rankIn[j]!, 0, g.length - 1);
      return g[rankIn[j]!]!;
    };
    return ps.map((p) => {
      if (Number.isNaN(p)) return NaN;
      const h = (n - 1) * Math.min(1, Math.max(0, p));
      const i0 = Math.floor(h);
      const v0 = ofRank(i0);
      if (n < 2 || p <= 0) return v0;
      if (p >= 1) return ofRank(n - 1);
      const v1 = ofRank(i0 + 1);
      return v0 + (v1 - v0) * (h - i0);
    });
  }

  /**
   * The value of rank r (0-based, ascending), r ≥ lo, given that a[0..lo) already holds the lo smallest:
   * selection on a[lo..n), leaving a[r] in place with nothing greater left of it and nothing smaller right
   * of it (`select`).
   */
  private orderStat(r: number, lo: number): number {
    const a = this.data!;
    select(a, r, lo, this.n - 1);
    return a[r]!;
  }

  /** R-7 over the folded values: each rank's value is its bucket's middle (the first and last exact). */
  private foldedQuantile(p: number): number {
    const h = (this.n - 1) * Math.min(1, Math.max(0, p));
    const lo = Math.floor(h);
    const a = this.rankValue(lo);
    return lo === h ? a : a + (h - lo) * (this.rankValue(lo + 1) - a);
  }

  private rankValue(r: number): number {
    if (r === 0) return this.minV;
    if (r === this.n - 1) return this.maxV;
    if (r < this.zeros) return Math.max(this.minV, 0);
    let seen = this.zeros;
    const c = this.counts!;
    for (let b = 0; b < BUCKETS; b++) {
      seen += c[b]!;
      if (seen > r) return Math.min(this.maxV, Math.max(this.minV, bucketMid(b)));
    }
    return this.maxV;
  }

  clear(): void {
    this.n = 0;
    this.sum = 0;
    this.maxV = -Infinity;
    this.minV = Infinity;
    this.zeros = 0;
    if (this.data === undefined) {
      this.counts = undefined;
      this.data = new Float64Array(Math.min(1024, this.exactMax));
    }
  }
}

/**
 * Floyd & Rivest's SELECT (CACM 18(3), 1975, algorithm 489), as d3-array's `quickselect`: reorders
 * a[left..right] so that a[k] holds the value of rank k there, nothing greater left of it and nothing
 * smaller right of it. Above 600 values it first selects within a sample around k's expected place, so the
 * pivot a[k] is then close to the answer and one partition pass nearly finishes: ~n + o(n) comparisons
 * against ~3.4n for a median-of-three quickselect (what this was until issue 24's fourth round; the
 * interval p50/p99 of every time-series sample spent ~4 % of the cluster benchmark there). Any selection
 * gives the same value, so quantiles are unchanged.
 */
function select(a: Float64Array, k: number, left: number, right: number): void {
  while (right > left) {
    if (right - left > 600) {
      const n = right - left + 1;
      const m = k - left + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (m - n / 2 < 0 ? -1 : 1);
      const newLeft = Math.max(left, Math.floor(k - (m * s) / n + sd));
      const newRight = Math.min(right, Math.floor(k + ((n - m) * s) / n + sd));
      select(a, k, newLeft, newRight);
    }
    const t = a[k]!;
    let i = left;
    let j = right;
    swap(a, left, k);
    if (a[right]! > t) swap(a, left, right);
    while (i < j) {
      swap(a, i, j);
      ++i;
      --j;
      while (a[i]! < t) ++i;
      while (a[j]! > t) --j;
    }
    if (a[left] === t) swap(a, left, j);
    else {
      ++j;
      swap(a, j, right);
    }
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
