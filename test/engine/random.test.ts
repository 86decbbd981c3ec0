import { expect } from 'chai';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import {
  aleaJump,
  hashKey,
  KeyedStream,
  lowbias32,
  type Prng,
  RandomStream,
  RandomStreams,
} from '../../src/engine/random.js';

describe('engine/RandomStreams', () => {
  it('same seed and name give the same sequence', () => {
    const a = new RandomStreams(42).stream('arrivals');
    const b = new RandomStreams(42).stream('arrivals');
    for (let i = 0; i < 1000; i++) expect(a.next()).to.equal(b.next());
  });

  it("a stream's draws are seedrandom's Alea's, bit for bit (stepped in place, not through its closure)", () => {
    // The reference is the same class drawing through seedrandom.alea's own closure (a passed-in prng).
    for (const seed of ['gmpsim/1/pod-3/sched.steal', 'gmpsim/7/arrivals', '']) {
      const own = new RandomStream('s', seed);
      const ref = new RandomStream('s', seed, seedrandom.alea(seed) as Prng);
      const draws: Array<(r: RandomStream) => number> = [
        (r) => r.next(),
        (r) => r.nextDouble(),
        (r) => r.int(7),
        (r) => r.exponential(2),
        (r) => r.normal(),
      ];
      for (let i = 0; i < 50_000; i++) {
        const d = draws[i % draws.length]!;
        const [a, b] = [d(own), d(ref)];
        if (a !== b) expect.fail(`seed ${JSON.stringify(seed)}, draw ${i}: ${a} against seedrandom's ${b}`);
      }
    }
  });

  it('skip(n) leaves a stream where n draws would (Alea, a keyed sub-stream, a passed-in prng)', () => {
    const makers: Array<[string, () => RandomStream]> = [
      ['alea', () => new RandomStream('s', 'gmpsim/5/pod-1/sched.steal')],
      [
        'keyed',
        () => {
          const k = new KeyedStream('k', 'gmpsim/5/keyed/request.steps[0]');
          k.seek(-77, 3);
          return k;
        },
      ],
      ['passed-in prng', () => new RandomStream('s', '', seedrandom.alea('x') as Prng)],
    ];
    for (const [name, make] of makers) {
      for (const n of [0, 1, 4, 7, 1000]) {
        const [a, b] = [make(), make()];
        a.next();
        b.next();
        a.skip(n);
        for (let i = 0; i < n; i++) b.next();
        expect([a.next(), a.nextDouble()], `${name}, skip ${n}`).to.deep.equal([b.next(), b.nextDouble()]);
      }
    }
  });

  it('owed skips: any mix of skips and draws of every kind leaves Alea where stepping would (property)', () => {
    // skip() only counts; the next draw steps or jumps (aleaJump past 512) over what is owed.
    const op = fc.oneof(
      fc.record({ skip: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 400, max: 5000 })) }),
      fc.constantFrom('next', 'double', 'int', 'exp', 'expRounded', 'normal'),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.array(op, { maxLength: 12 }), (seed, ops) => {
        const a = new RandomStream('s', seed);
        const b = new RandomStream('s', '', seedrandom.alea(seed) as Prng); // steps every draw it is asked for
        const out: Array<[number, number]> = [];
        for (const o of ops) {
          if (typeof o !== 'string') {
            a.skip(o.skip);
            for (let i = 0; i < o.skip; i++) b.next();
            continue;
          }
          const draw = (r: RandomStream): number =>
            o === 'next'
              ? r.next()
              : o === 'double'
                ? r.nextDouble()
                : o === 'int'
                  ? r.int(1000)
                  : o === 'exp'
                    ? r.exponential(2)
                    : o === 'expRounded'
                      ? r.exponentialRounded(5e6)
                      : r.normal();
          out.push([draw(a), draw(b)]);
        }
        out.push([a.next(), b.next()]);
        for (const [x, y] of out) expect(x).to.equal(y);
      }),
      { numRuns: 150 },
    );
  });

  it("aleaJump(n) is n of Alea's steps, for n across the jump threshold and far past it", () => {
    const r = new RandomStream('s', 'gmpsim/1/pod-0/sched.steal');
    const alea = seedrandom.alea('gmpsim/1/pod-0/sched.steal', { state: true });
    const state = () => {
      const st = alea.state();
      return [st.s0, st.s1, st.s2, st.c];
    };
    let done = 0;
    for (const n of [1, 3, 511, 512, 513, 4096, 100_000, 1_000_003]) {
      const [s0, s1, s2, c] = state();
      const jumped = aleaJump(s0!, s1!, s2!, c!, n - done);
      for (; done < n; done++) alea();
      expect(jumped, `n = ${n}`).to.deep.equal(state());
    }
    expect(r.next()).to.be.a('number');
  });

  it('exponentialRounded(m) is Math.round(exponential(m)), stream position included (tail and wedges too)', () => {
    const makers: Array<[string, () => RandomStream]> = [
      ['alea', () => new RandomStream('s', 'gmpsim/3/arrivals')],
      [
        'keyed',
        () => {
          const k = new KeyedStream('k', 'gmpsim/3/keyed/request.steps[1]');
          k.seek(12345, 2);
          return k;
        },
      ],
      ['passed-in prng', () => new RandomStream('s', '', seedrandom.alea('y') as Prng)],
    ];
    for (const [name, make] of makers) {
      const [a, b] = [make(), make()];
      for (let i = 0; i < 100_000; i++) {
        const mean = i % 3 === 0 ? 1e6 : i % 3 === 1 ? 2.5e9 : 7.5;
        const [x, y] = [a.exponentialRounded(mean), Math.round(b.exponential(mean))];
        if (x !== y) expect.fail(`${name}, draw ${i} (mean ${mean}): ${x} against ${y}`);
      }
      expect(a.next(), name).to.equal(b.next());
    }
  });

  it('streams are independent: drawing from one never shifts another', () => {
    const s1 = new RandomStreams(7);
    const s2 = new RandomStreams(7);
    const x = s1.stream('service');
    s2.stream('steal').next(); // an extra stream used in one run only
    for (let i = 0; i < 100; i++) s2.stream('steal').next();
    const y = s2.stream('service');
    for (let i = 0; i < 100; i++) expect(x.next()).to.equal(y.next());
  });

  it('different seeds and names differ', () => {
    expect(new RandomStreams(1).stream('a').next()).not.to.equal(new RandomStreams(2).stream('a').next());
    expect(new RandomStreams(1).stream('a').next()).not.to.equal(new RandomStreams(1).stream('b').next());
  });

  it('exponential has the requested mean and normal is standard (large sample)', () => {
    const r = new RandomStreams(3).stream('x');
    let sum = 0,
      sn = 0,
      sn2 = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) sum += r.exponential(2);
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      sn += z;
      sn2 += z * z;
    }
    expect(sum / n).to.be.closeTo(2, 0.03);
    expect(sn / n).to.be.closeTo(0, 0.01);
    expect(sn2 / n).to.be.closeTo(1, 0.015);
  });

  it('exponential is Exp(1) in shape, wedges and tail (ziggurat against its CDF, 10^6 draws)', () => {
    // A ziggurat that skipped the wedge test fails the KS and χ² bounds; one without its tail fails the
    // tail count (checked by hand when this test was written).
    const r = new RandomStreams(5).stream('ks');
    const n = 1_000_000;
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = r.exponential(1);
    xs.sort();
    let d = 0;
    const bins = new Float64Array(1000);
    let tail = 0;
    for (let i = 0; i < n; i++) {
      const f = 1 - Math.exp(-xs[i]!);
      d = Math.max(d, Math.abs(f - i / n), Math.abs(f - (i + 1) / n));
      bins[Math.min(999, Math.floor(f * 1000))]++;
      if (xs[i]! > 7.697117470131487) tail++;
    }
    // Kolmogorov–Smirnov at α = 0.001: √n·D < 1.95.
    expect(d * Math.sqrt(n)).to.be.below(1.95);
    // χ² over 1000 equiprobable bins (999 df) at α = 0.001: below 1137.
    const chi2 = bins.reduce((a, c) => a + (c - n / 1000) ** 2 / (n / 1000), 0);
    expect(chi2).to.be.below(1137);
    // Beyond the ziggurat's base (x > 7.697): n·e^−7.697 ≈ 454 expected, σ ≈ 21; allow 4.5σ.
    expect(tail).to.be.within(358, 550);
  });

  it('draw n of keyed sub-stream (k1, k2) is lowbias32(lowbias32(lane1 + n·W) ^ lane2), as documented', () => {
    // KeyedStream writes lowbias32 out in seek and next32 (hot path); this pins them to the one definition.
    const seed = 'gmpsim/3/keyed/request.steps[0]';
    const s = new KeyedStream('request.steps[0]', seed);
    const base1 = hashKey(seed);
    const base2 = lowbias32(base1 ^ 0x5bd1e995);
    const keys: Array<[number, number]> = [
      [0, 0],
      [1, 0],
      [12, 5],
      [-1, -1],
      [0x7fffffff, 0x80000000],
      [-123456, 77],
    ];
    for (const [k1, k2] of keys) {
      s.seek(k1, k2);
      const lane1 = lowbias32((k1 ^ base1) >>> 0);
      const lane2 = lowbias32(((k2 + 0x27d4eb2f) ^ base2) >>> 0);
      for (let n = 1; n <= 20; n++) {
        const want = lowbias32(lowbias32((lane1 + n * 0x9e3779b9) >>> 0) ^ lane2);
        expect(s.next32(), `keys ${k1}, ${k2}, draw ${n}`).to.equal(want);
      }
    }
  });

  it('a keyed stream draws by key, not by order: a sub-stream is the same whatever was drawn before', () => {
    const a = new RandomStreams(3).keyed('request.steps[0]');
    const b = new RandomStreams(3).forEntity('pod-7').keyed('request.steps[0]'); // another pod, same request
    const draw = (s: typeof a, k1: number, k2: number) => {
      s.seek(k1, k2);
      return [s.next(), s.nextDouble(), s.exponential(1), s.normal()];
    };
    const first = draw(a, 12, 5);
    for (let k = 0; k < 50; k++) draw(b, k, 1); // b has drawn for other requests first
    expect(draw(b, 12, 5)).to.deep.equal(first);
    expect(draw(a, 12, 6)).to.not.deep.equal(first);
    expect(draw(a, 13, 5)).to.not.deep.equal(first);
    expect(draw(new RandomStreams(4).keyed('request.steps[0]'), 12, 5)).to.not.deep.equal(first);
    expect(draw(new RandomStreams(3).keyed('request.steps[1]'), 12, 5)).to.not.deep.equal(first);
  });

  it('keyed sub-streams are uniform and uncorrelated across neighbouring keys (χ², lag-1 correlation)', () => {
    const s = new RandomStreams(1).keyed('u');
    const n = 200_000;
    const bins = new Float64Array(100);
    let sxy = 0,
      sx = 0,
      sxx = 0,
      prev = 0;
    for (let k = 0; k < n; k++) {
      s.seek(k, 0); // the first draw of consecutive keys: the weakest case for a keyed generator
      const u = s.next();
      expect(u).to.be.within(0, 1 - 2 ** -32);
      bins[Math.floor(u * 100)]++;
      if (k > 0) sxy += u * prev;
      sx += u;
      sxx += u * u;
      prev = u;
    }
    // χ² over 100 bins (99 df) at α = 0.001: below 148.2.
    expect(bins.reduce((a, c) => a + (c - n / 100) ** 2 / (n / 100), 0)).to.be.below(148.2);
    const m = sx / n;
    const corr = (sxy / (n - 1) - m * m) / (sxx / n - m * m);
    expect(Math.abs(corr)).to.be.below(4 / Math.sqrt(n));
    for (let i = 0; i < 1000; i++) {
      s.seek(i, 0);
      const d = s.nextDouble();
      expect(d).to.be.within(0, 1);
    }
  });
  it('a keyed sub-stream is a function of its keys alone, whatever the order of seeks and draws (property)', () => {
    // Any interleaving of seeks and draws: each sub-stream's draws equal a fresh stream's from its start.
    const fresh = (k1: number, k2: number, n: number) => {
      const s = new RandomStreams(9).keyed('p');
      s.seek(k1, k2);
      return Array.from({ length: n }, () => s.next());
    };
    fc.assert(
      // (k1, k2, draws): any key, a pc, a few draws
      fc.property(
        fc.array(fc.tuple(fc.integer(), fc.integer({ min: 0, max: 64 }), fc.integer({ min: 1, max: 5 })), {
          maxLength: 40,
        }),
        (seeks) => {
          const s = new RandomStreams(9).forEntity('pod-2').keyed('p');
          for (const [k1, k2, n] of seeks) {
            s.seek(k1, k2);
            const got = Array.from({ length: n }, () => s.next());
            expect(got).to.deep.equal(fresh(k1, k2, n));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keyed draws along a sub-stream, across adjacent pcs and in adjacent-key pairs: uniform, uncorrelated', () => {
    const s = new RandomStreams(5).keyed('q');
    const corr = (xs: Float64Array, ys: Float64Array) => {
      let sx = 0,
        sy = 0,
        sxy = 0,
        sxx = 0,
        syy = 0;
      for (let i = 0; i < xs.length; i++) {
        sx += xs[i]!;
        sy += ys[i]!;
        sxy += xs[i]! * ys[i]!;
        sxx += xs[i]! ** 2;
        syy += ys[i]! ** 2;
      }
      const n = xs.length;
      return (sxy / n - (sx / n) * (sy / n)) / Math.sqrt((sxx / n - (sx / n) ** 2) * (syy / n - (sy / n) ** 2));
    };
    const n = 100_000;
    const bound = 4 / Math.sqrt(n); // |r| of independent uniforms: σ = 1/√n; 4σ
    // Along a sub-stream: draws 0..3 of key k (the draws a G's op makes), lag 1.
    const along = [0, 1, 2, 3].map(() => new Float64Array(n));
    // Across pcs: draw 0 at pc and at pc + 1 of one G (adjacent ops of one program).
    const pcA = new Float64Array(n),
      pcB = new Float64Array(n);
    // Adjacent keys at one pc, as a pair: a 16 × 16 χ² over (draw of k, draw of k + 1).
    const pairs = new Float64Array(256);
    // Every output bit of the first draw of consecutive keys is a fair coin.
    const ones = new Float64Array(32);
    let prev = 0;
    for (let k = 0; k < n; k++) {
      s.seek(k, 3);
      for (let j = 0; j < 4; j++) along[j]![k] = s.next();
      s.seek(k, 7);
      pcA[k] = s.next();
      s.seek(k, 8);
      pcB[k] = s.next();
      s.seek(k, 0);
      const bits = s.next32();
      for (let b = 0; b < 32; b++) ones[b]! += (bits >>> b) & 1;
      const u = bits / 2 ** 32;
      if (k > 0) pairs[Math.floor(prev * 16) * 16 + Math.floor(u * 16)]++;
      prev = u;
    }
    for (let j = 0; j < 3; j++) expect(Math.abs(corr(along[j]!, along[j + 1]!))).to.be.below(bound);
    expect(Math.abs(corr(pcA, pcB))).to.be.below(bound);
    // χ² over 100 bins of all 4n draws along sub-streams (99 df, α = 0.001: below 148.2).
    const bins = new Float64Array(100);
    for (const a of along) for (const u of a) bins[Math.floor(u * 100)]++;
    expect(bins.reduce((a, c) => a + (c - (4 * n) / 100) ** 2 / ((4 * n) / 100), 0)).to.be.below(148.2);
    // χ² over the 256 pair cells (255 df, α = 0.001: below 330.5).
    const e = (n - 1) / 256;
    expect(pairs.reduce((a, c) => a + (c - e) ** 2 / e, 0)).to.be.below(330.5);
    // Each bit: binomial(n, 1/2), σ = √n / 2; allow 4.5σ (32 bits at α ≈ 2·10^-4 in all).
    for (let b = 0; b < 32; b++) expect(Math.abs(ones[b]! - n / 2)).to.be.below(4.5 * (Math.sqrt(n) / 2));
  });

  it('keyed exponentials are Exp(1) (KS over 10^5 first draws of consecutive keys)', () => {
    const s = new RandomStreams(11).keyed('e');
    const n = 100_000;
    const xs = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      s.seek(k, 1);
      xs[k] = s.exponential(1);
    }
    xs.sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const f = 1 - Math.exp(-xs[i]!);
      d = Math.max(d, Math.abs(f - i / n), Math.abs(f - (i + 1) / n));
    }
    expect(d * Math.sqrt(n)).to.be.below(1.95); // KS at α = 0.001
  });
});
