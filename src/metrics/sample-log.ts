import { quantileSorted } from 'd3-array';

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

  /** Quantiles (d3-array's R-7 definition) for each p in ps; NaN when empty. Sorts in place. */
  quantiles(ps: readonly number[]): number[] {
    if (this.n === 0) return ps.map(() => NaN);
    const sorted = this.data.subarray(0, this.n).sort();
    // d3 reads any array-like by index; its typings only admit real arrays.
    return ps.map((p) => quantileSorted(sorted as unknown as number[], p)!);
  }

  clear(): void {
    this.n = 0;
    this.sum = 0;
    this.maxV = -Infinity;
  }
}
