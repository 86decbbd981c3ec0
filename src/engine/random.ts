import seedrandom from 'seedrandom';
import { exponentialSlow, LAYER_MASK, TWO32, ZIG_KE, ZIG_WE } from './ziggurat.js';

/**
 * One named source of randomness. Every random draw in gmpsim comes from a stream, and every stream is
 * seeded from (master seed, stream name) alone, so adding draws to one part of a model (say, steal order)
 * never shifts the draws of another (say, arrivals). Alea (seedrandom.alea) is fast and pure-JS, hence
 * identical on every machine.
 */
export class RandomStream {
  private readonly prng: seedrandom.PRNG;
  private spareNormal = NaN;

  constructor(readonly name: string, seed: string) {
    this.prng = seedrandom.alea(seed);
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.prng();
  }

  /** Uniform in [0, 1) with 53 bits of resolution (twice the cost of `next`). */
  nextDouble(): number {
    return this.prng.double();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /** Exponential with the given mean (ziggurat method: see ziggurat.ts). */
  exponential(mean: number): number {
    // The ziggurat's common path; exponentialSlow takes the tail and the wedges.
    const jz = (this.prng() * TWO32) >>> 0;
    const iz = jz & LAYER_MASK;
    if (jz < ZIG_KE[iz]!) return mean * jz * ZIG_WE[iz]!;
    return mean * exponentialSlow(this.prng, jz, iz);
  }

  /** Standard normal (Marsaglia polar method; caches the second variate). */
  normal(): number {
    const spare = this.spareNormal;
    if (spare === spare) {
      this.spareNormal = NaN;
      return spare;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.prng.double() - 1;
      v = 2 * this.prng.double() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }
}

/** The set of named streams of one run. */
export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();

  constructor(readonly seed: number | string) {}

  /** The stream called `name`, created on first use with seed "gmpsim/<seed>/<name>". */
  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (!s) {
      s = new RandomStream(name, `gmpsim/${this.seed}/${name}`);
      this.streams.set(name, s);
    }
    return s;
  }
}
