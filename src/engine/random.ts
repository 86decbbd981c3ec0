import seedrandom from 'seedrandom';
import { exponentialSlow, LAYER_MASK, TWO32, ZIG_KE, ZIG_WE } from './ziggurat.js';

/**
 * One named source of randomness. Every random draw in gmpsim comes from a stream, and every stream is
 * seeded from (master seed, stream name) alone, so adding draws to one part of a model (say, steal order)
 * never shifts the draws of another (say, arrivals). Alea (seedrandom.alea) is fast and pure-JS, hence
 * identical on every machine.
 */
export class RandomStream {
  protected readonly prng: Prng;
  protected spareNormal = NaN;
  /**
   * Alea's state (seedrandom.alea, seeded by it), stepped here in `step` rather than through seedrandom's
   * closure: the same numbers, without a call through a closure and its captured object on every draw
   * (the steal stream draws four per failed stealWork). Unused when a test passes its own prng.
   */
  private c = 0;
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private readonly custom: boolean;

  constructor(
    readonly name: string,
    seed: string,
    prng?: Prng,
  ) {
    this.custom = prng !== undefined;
    if (prng !== undefined) this.prng = prng;
    else {
      const st = seedrandom.alea(seed, { state: true }).state();
      this.c = st.c;
      this.s0 = st.s0;
      this.s1 = st.s1;
      this.s2 = st.s2;
      const f = (() => this.step()) as Prng;
      f.double = () => this.nextDouble();
      this.prng = f;
    }
  }

  /** One step of Alea (seedrandom's alea.js `next`): uniform in [0, 1) with 32 bits of resolution. */
  private step(): number {
    if (this.custom) return this.prng();
    if (this.skipped !== 0) this.catchUp();
    const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10; // 2^-32
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.c = t | 0;
    this.s2 = t - this.c;
    return this.s2;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.step();
  }

  /**
   * Advance past `n` draws of `next` without making them (the stream ends where n calls would leave it).
   * The steps are owed, not made: the next draw first makes them (catchUp), so a stream that is skipped
   * far more often than drawn — the steal stream of a lightly loaded pod, four draws per failed stealWork
   * and often no real draw all run — pays for its skips once, by a jump, or never.
   */
  skip(n: number): void {
    if (this.custom) {
      for (let i = 0; i < n; i++) this.prng();
      return;
    }
    this.skipped += n;
  }

  /** Draws skip() has passed over that the state has not yet moved past. */
  private skipped = 0;

  /**
   * Move the state past the skipped draws: Alea's steps on local variables for a few, else a jump of
   * O(log n) BigInt operations (aleaJump). Either way the same state as that many steps.
   */
  private catchUp(): void {
    const n = this.skipped;
    this.skipped = 0;
    if (n > ALEA_JUMP_MIN) {
      const st = aleaJump(this.s0, this.s1, this.s2, this.c, n);
      this.s0 = st[0]!;
      this.s1 = st[1]!;
      this.s2 = st[2]!;
      this.c = st[3]!;
      return;
    }
    let s0 = this.s0,
      s1 = this.s1,
      s2 = this.s2,
      c = this.c;
    for (let i = 0; i < n; i++) {
      const t = 2091639 * s0 + c * 2.3283064365386963e-10;
      s0 = s1;
      s1 = s2;
      c = t | 0;
      s2 = t - c;
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.c = c;
  }

  /** Uniform in [0, 1) with 53 bits of resolution (twice the cost of `next`; seedrandom's prng.double). */
  nextDouble(): number {
    if (this.custom) return this.prng.double();
    return this.step() + ((this.step() * 0x200000) | 0) * 1.1102230246251565e-16; // 2^-53
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.step() * n);
  }

  /**
   * One step's 32 bits as a signed 32-bit integer: `(next() * 2^32) | 0` (`>>> 0` gives the unsigned
   * ones). Alea's uniform is a multiple of 2^-32, so no bit is lost; a small integer leaves a call V8
   * does not inline as it is, where `next()`'s fraction leaves it as a new heap number.
   */
  private stepBits(): number {
    if (this.custom) return (this.prng() * TWO32) | 0;
    if (this.skipped !== 0) this.catchUp();
    const t = 2091639 * this.s0 + this.c * 2.3283064365386963e-10; // 2^-32
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.c = t | 0;
    const s2 = t - this.c;
    this.s2 = s2;
    return (s2 * TWO32) | 0;
  }

  /** Exponential with the given mean (ziggurat method: see ziggurat.ts). */
  exponential(mean: number): number {
    // The ziggurat's common path; exponentialSlow takes the tail and the wedges.
    const jz = this.stepBits() >>> 0;
    const iz = jz & LAYER_MASK;
    if (jz < ZIG_KE[iz]!) return mean * jz * ZIG_WE[iz]!;
    return mean * exponentialSlow(this.prng, jz, iz);
  }

  /**
   * `Math.round(exponential(mean))`, the same number, for the samplers of whole nanoseconds (durations,
   * gaps): rounded inside, a draw below 2^31 leaves the call as a small integer instead of the boxed
   * double `exponential` returns wherever V8 does not inline it (issue 24: no garbage per draw).
   */
  exponentialRounded(mean: number): number {
    const jz = this.stepBits() >>> 0;
    const iz = jz & LAYER_MASK;
    if (jz < ZIG_KE[iz]!) return Math.round(mean * jz * ZIG_WE[iz]!);
    return Math.round(mean * exponentialSlow(this.prng, jz, iz));
  }

  /** Standard normal (Marsaglia polar method; caches the second variate). */
  normal(): number {
    const spare = this.spareNormal;
    if (!Number.isNaN(spare)) {
      this.spareNormal = NaN;
      return spare;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.nextDouble() - 1;
      v = 2 * this.nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }
}

/** Skips past this many draws jump (aleaJump) instead of stepping: ~16 ns a step against a few µs a jump. */
const ALEA_JUMP_MIN = 512;
const ALEA_A = 2091639n;
const ALEA_B = 4294967296n;
/** Alea as a lag-3 multiply-with-carry generator is an LCG modulo m = a·b³ − 1 with multiplier b⁻¹ = a·b². */
const ALEA_M = ALEA_A * ALEA_B * ALEA_B * ALEA_B - 1n;
const ALEA_BINV = ALEA_A * ALEA_B * ALEA_B;

/**
 * Alea's state after n steps, without making them: [s0, s1, s2, c]. Alea (seedrandom's alea.js) is
 * Marsaglia's multiply-with-carry with lag 3, base b = 2^32 and multiplier a = 2091639 on the integers
 * x = s·2^32: a·x[k−3] + c[k−1] = c[k]·b + x[k]. Z[k] = c[k] + a·(x[k−2] + x[k−1]·b + x[k]·b²) then satisfies
 * b·Z[k] ≡ Z[k−1] (mod a·b³ − 1) (Couture & L'Ecuyer, "Distribution properties of multiply-with-carry
 * random number generators", Math. Comp. 1997), so Z[k+n] = Z[k]·(b⁻¹)^n mod m, and the state is read
 * back from Z as c = Z mod a, the x's the base-b digits of ⌊Z / a⌋ (c < a always). Tested against n steps.
 */
export function aleaJump(s0: number, s1: number, s2: number, c: number, n: number): number[] {
  const x0 = BigInt(s0 * 4294967296),
    x1 = BigInt(s1 * 4294967296),
    x2 = BigInt(s2 * 4294967296);
  let z = BigInt(c) + ALEA_A * (x0 + ALEA_B * (x1 + ALEA_B * x2));
  let base = ALEA_BINV;
  for (let e = BigInt(n); e > 0n; e >>= 1n) {
    if (e & 1n) z = (z * base) % ALEA_M;
    base = (base * base) % ALEA_M;
  }
  let x = z / ALEA_A;
  const out = [0, 0, 0, Number(z % ALEA_A)];
  for (let i = 0; i < 3; i++) {
    out[i] = Number(x % ALEA_B) / 4294967296;
    x /= ALEA_B;
  }
  return out;
}

/** What a stream draws from: uniform in [0, 1) with 32 bits, and with 53 bits from `double`. */
export interface Prng {
  (): number;
  double(): number;
}

/** 32-bit string hash (FNV-1a, then murmur3's finaliser): a stream name or seed to a key. */
export function hashKey(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** murmur3's 32-bit finaliser: every input bit reaches every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Mix two 32-bit keys into one (order matters): the key of a child entity. Returned as an int32, the same
 * 32 bits as fmix32's unsigned result: every key is kept in an Int32Array and read through xor, and an
 * unsigned value above 2^31 returned from a call V8 does not inline is a new heap number (issue 24: one
 * every other request on the coordinator's routing path).
 */
export function mixKey(a: number, b: number): number {
  return fmix32((Math.imul(a ^ 0x9e3779b9, 0x01000193) + fmix32(b + 0x7f4a7c15)) | 0) | 0;
}

/**
 * Chris Wellons' "lowbias32" integer hash (hash-prospector, 2020): like murmur3's finaliser, a bijection
 * of 32-bit integers in which every input bit reaches every output bit, with about a third of its bias.
 */
export function lowbias32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The Weyl increment of a keyed stream's counter: 2^32 / φ, odd, so the counter visits every value. */
const WEYL = 0x9e3779b9;

/**
 * A stream positioned by a key rather than by how much was drawn before: `seek(k1, k2)` sets it to the
 * start of the sub-stream of (stream, k1, k2). Common random numbers: a request's sizes are drawn from
 * the sub-stream of its arrival index, so they are the same whichever pod serves it and whatever the
 * other requests drew — two variants on one replication see the same work, and their difference is
 * paired.
 *
 * The generator is counter-based (in the spirit of SplitMix and Random123's Philox: Salmon et al., "Parallel
 * Random Numbers: As Easy as 1, 2, 3", SC 2011): draw n of sub-stream (k1, k2) is a hash of the stream's
 * seed, k1, k2 and n, computed directly. `seek` maps k1 and k2 through bijections keyed by the seed to two
 * 32-bit lanes (so two different key pairs never share a sub-stream), and draw n is
 * lowbias32(lowbias32(lane1 + n·W) ^ lane2), W the golden-ratio Weyl increment. No warm-up rounds, no
 * closure, no allocation on a draw: a seek is two hashes and a draw two more (the former sfc32 sub-streams
 * ran 12 warm-up rounds through a closure on every seek). Quality: χ² uniformity and lag-1 correlation
 * across neighbouring keys and along a sub-stream, pair uniformity, and per-bit balance in
 * test/engine/random.test.ts.
 */
export class KeyedStream extends RandomStream {
  /** The seed's two lane keys. */
  private readonly base1: number;
  private readonly base2: number;
  /** The current sub-stream's lanes; `x` is lane 1 plus the counter's Weyl steps. */
  private x = 0;
  private lane2 = 0;
  /** The k2 that `lane2` was made from (NaN: none yet). */
  private lastK2 = NaN;

  constructor(name: string, seed: string) {
    // The base class's prng serves only the ziggurat's rare path (exponentialSlow takes a function).
    const self: { s?: KeyedStream } = {};
    const next = (() => self.s!.next32() / TWO32) as Prng;
    next.double = () => self.s!.nextDouble();
    super(name, seed, next);
    self.s = this;
    const h = hashKey(seed);
    this.base1 = h;
    this.base2 = lowbias32(h ^ 0x5bd1e995);
    this.seek(0, 0);
  }

  /** Position the stream at the start of the sub-stream keyed (k1, k2) (any 32-bit integers). */
  seek(k1: number, k2: number): void {
    // lowbias32 of each key, written out and kept as int32 (the same 32 bits as its unsigned result: x is
    // only ever added to mod 2^32, lane2 only xor-ed), for the reason next32 gives.
    let h = k1 ^ this.base1;
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    h = Math.imul(h, 0x846ca68b);
    this.x = h ^ (h >>> 16);
    // Lane 2 depends on k2 alone, and a stream is mostly sought with the k2 of its last seek (a request's
    // draws: k2 is the op's pc, one per sampler's stream): kept, not hashed again (issue 24).
    if (k2 !== this.lastK2) {
      h = (k2 + 0x27d4eb2f) ^ this.base2;
      h ^= h >>> 16;
      h = Math.imul(h, 0x7feb352d);
      h ^= h >>> 15;
      h = Math.imul(h, 0x846ca68b);
      this.lane2 = h ^ (h >>> 16);
      this.lastK2 = k2;
    }
    this.spareNormal = NaN;
  }

  /**
   * The next 32 random bits of the sub-stream, as an unsigned integer: lowbias32(lowbias32(x) ^ lane2),
   * written out here (every request draws through it several times, and V8, out of inlining budget in
   * the interpreter that calls it, left lowbias32 a call returning a boxed number above 2^31).
   */
  next32(): number {
    const x = (this.x + WEYL) | 0;
    this.x = x;
    let h = x ^ (x >>> 16);
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    h = Math.imul(h, 0x846ca68b);
    h ^= h >>> 16;
    h ^= this.lane2;
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    h = Math.imul(h, 0x846ca68b);
    h ^= h >>> 16;
    return h >>> 0;
  }

  override next(): number {
    return this.next32() / TWO32;
  }

  /** Past n draws: the counter moves n Weyl steps. */
  override skip(n: number): void {
    this.x = (this.x + Math.imul(n, WEYL)) | 0;
  }

  override nextDouble(): number {
    return ((this.next32() >>> 5) * 67108864 + (this.next32() >>> 6)) / 9007199254740992;
  }

  override int(n: number): number {
    return Math.floor((this.next32() / TWO32) * n);
  }

  /** As RandomStream.exponential (the ziggurat's common path), from this stream's bits directly. */
  override exponential(mean: number): number {
    const jz = this.next32();
    const iz = jz & LAYER_MASK;
    if (jz < ZIG_KE[iz]!) return mean * jz * ZIG_WE[iz]!;
    return mean * exponentialSlow(this.prng, jz, iz);
  }

  /** As RandomStream.exponentialRounded, from this stream's bits directly. */
  override exponentialRounded(mean: number): number {
    const jz = this.next32();
    const iz = jz & LAYER_MASK;
    if (jz < ZIG_KE[iz]!) return Math.round(mean * jz * ZIG_WE[iz]!);
    return Math.round(mean * exponentialSlow(this.prng, jz, iz));
  }

  /** As RandomStream.normal (Marsaglia polar), from this stream's bits directly. */
  override normal(): number {
    const spare = this.spareNormal;
    if (!Number.isNaN(spare)) {
      this.spareNormal = NaN;
      return spare;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.nextDouble() - 1;
      v = 2 * this.nextDouble() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }
}

/**
 * The set of named streams of one replication, for one entity. Streams are keyed by (master seed, entity,
 * purpose): `forEntity("pod-3")` gives pod 3's scheduler its own streams, and `keyed(purpose)` gives a
 * stream keyed by the replication and purpose only — the same in every entity, so a request's draws do
 * not depend on the pod that serves it.
 */
export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();
  private readonly keyedStreams = new Map<string, KeyedStream>();

  constructor(
    readonly seed: number | string,
    /** "" for the run itself; "pod-3" for pod 3. */
    readonly entity = '',
  ) {}

  /** The stream called `name`, created on first use with seed "gmpsim/<seed>/<entity>/<name>". */
  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (!s) {
      s = new RandomStream(
        name,
        this.entity === '' ? `gmpsim/${this.seed}/${name}` : `gmpsim/${this.seed}/${this.entity}/${name}`,
      );
      this.streams.set(name, s);
    }
    return s;
  }

  /** The streams of one entity of this replication (its own, independent of every other entity's). */
  forEntity(entity: string): RandomStreams {
    return new RandomStreams(this.seed, entity);
  }

  /** The keyed stream for `purpose` in this replication: every entity's copy draws the same sub-streams. */
  keyed(purpose: string): KeyedStream {
    let s = this.keyedStreams.get(purpose);
    if (!s) {
      s = new KeyedStream(purpose, `gmpsim/${this.seed}/keyed/${purpose}`);
      this.keyedStreams.set(purpose, s);
    }
    return s;
  }
}
