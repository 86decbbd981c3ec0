import { expect } from 'chai';
import { UsageError } from '../../src/cli/errors.js';
import { boSettings } from '../../src/cli/tune-command.js';
import { parseScenario } from '../../src/scenario/load.js';
import { encodePoints, initialDesign, proposeBatch } from '../../src/sweep/bo.js';
import {
  cholesky,
  expectedImprovement,
  GaussianProcess,
  normalCdf,
  solveLower,
  solveUpper,
} from '../../src/sweep/gp.js';
import type { RunOutcome } from '../../src/sweep/run-row.js';
import type { SweepTask } from '../../src/sweep/runner.js';
import { type Goal, tune } from '../../src/sweep/tune.js';

describe('Gaussian process (gp.ts)', () => {
  it('Cholesky factors an SPD matrix (L Lᵀ = A), solves with it, and refuses one that is not positive definite', () => {
    const a = Float64Array.from([4, 12, -16, 12, 37, -43, -16, -43, 98]); // the textbook example: L = [2;6 1;-8 5 3]
    const l = cholesky(a, 3)!;
    expect(Array.from(l)).to.deep.equal([2, 0, 0, 6, 1, 0, -8, 5, 3]);
    const x = solveUpper(l, 3, solveLower(l, 3, Float64Array.from([1, 2, 3]))); // A x = b
    for (let i = 0; i < 3; i++)
      expect(a[3 * i]! * x[0]! + a[3 * i + 1]! * x[1]! + a[3 * i + 2]! * x[2]!).to.be.closeTo(i + 1, 1e-9);
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2)).to.equal(undefined);
  });

  it('Φ and expected improvement match their tables', () => {
    for (const [z, p] of [
      [0, 0.5],
      [1, 0.8413447],
      [-1, 0.1586553],
      [1.959964, 0.975],
      [-3, 0.0013499],
    ] as const) {
      expect(normalCdf(z), `Φ(${z})`).to.be.closeTo(p, 2e-7);
    }
    // EI(μ = best, σ = 1) = φ(0) = 0.39894; with σ = 0 it is the plain improvement.
    expect(expectedImprovement({ mean: 5, sd: 1 }, 5)).to.be.closeTo(0.398942, 1e-6);
    expect(expectedImprovement({ mean: 3, sd: 0 }, 5)).to.equal(2);
    expect(expectedImprovement({ mean: 7, sd: 0 }, 5)).to.equal(0);
  });

  it('interpolates smooth data, is sure at what it saw and unsure far from it', () => {
    const xs = [0, 0.2, 0.4, 0.6, 0.8].map((v) => Float64Array.of(v));
    const ys = xs.map((x) => Math.sin(6 * x[0]!));
    const gp = GaussianProcess.fit(xs, ys);
    for (const [i, x] of xs.entries()) expect(gp.predict(x).mean, `x = ${x[0]}`).to.be.closeTo(ys[i]!, 0.05);
    expect(gp.predict(Float64Array.of(0.5)).mean).to.be.closeTo(Math.sin(3), 0.15);
    expect(gp.predict(Float64Array.of(3)).sd).to.be.greaterThan(5 * gp.predict(Float64Array.of(0.4)).sd);
    expect(gp.noise).to.be.at.most(1e-2); // noiseless data: the likelihood picks little noise
  });
});

/** A 12 × 12 grid of fake points; run figures in SWEEP_METRICS order. */
const points = Array.from({ length: 144 }, (_, index) => ({
  index,
  params: [
    ['a', Math.floor(index / 12)],
    ['b', index % 12],
  ] as [string, unknown][],
}));
const scenarios = new Map(points.map((p) => [p.index, parseScenario('durationS: 1\n', 'f.yaml')]));
const ab = (point: number) => [Math.floor(point / 12), point % 12] as const;
/**
 * Cheaper at small a and b, slower too: p99 = 200 / (1 + a + b/2), so p99 ≤ 40.5 needs a + b/2 ≥ 4; cost 100 + 3a + 2b.
 */
function constrainedFake(t: SweepTask): RunOutcome {
  const [a, b] = ab(t.point);
  const p99 = 200 / (1 + a + b / 2) + (t.seed % 5) * 0.01;
  return { metrics: [1, 2, p99, 0, 0, 0, 100 + 3 * a + 2 * b + (t.seed % 3) * 0.01, 0, 0, 0, 0, 0, 0] };
}
const evaluateWith = (f: (t: SweepTask) => RunOutcome) => async (tasks: SweepTask[]) => tasks.map(f);

describe('tune --method bo (constrained Bayesian optimisation over the points)', () => {
  const goal: Goal = { kind: 'constrained', cost: 'podSeconds', constraints: [{ metric: 'p99Ms', max: 40.5 }] };
  const opts = { masterSeed: 7, maxSeeds: 2, eta: 3, goal };

  it("reaches the grid's best (least cost meeting p99 ≤ 40.5) in at most a third of the grid's runs", async () => {
    const grid = await tune(points, scenarios, { ...opts, method: 'grid' }, evaluateWith(constrainedFake));
    const bo = await tune(
      points,
      scenarios,
      { ...opts, method: 'bo', bo: { budget: 48, batch: 4 } },
      evaluateWith(constrainedFake),
    );
    expect(ab(grid.best)).to.deep.equal([4, 0]);
    expect(bo.runs).to.be.at.most(grid.runs / 3);
    expect(bo.winner.feasible).to.equal(true);
    expect(bo.bestObjective).to.be.closeTo(grid.bestObjective, 0.05);
    // Found well before the budget ran out: the batch holding the best is early.
    const at = bo.rungs.findIndex((r) => r.candidates.includes(grid.best));
    expect(at, 'batch that ran the grid best').to.be.within(0, 5);
    expect(bo.runnerUp).to.not.equal(undefined);
  });

  it('a weighted objective (no constraints) finds the minimum of a smooth bowl with a sixth of the grid', async () => {
    const bowl = (t: SweepTask): RunOutcome => {
      const [a, b] = ab(t.point);
      return { metrics: [0, 0, 0, 0, 0, 0, (a - 8) ** 2 + 2 * (b - 3) ** 2 + (t.seed % 7) * 0.01, 0, 0, 0, 0, 0, 0] };
    };
    const weighted: Goal = { kind: 'weighted', objective: { podSeconds: 1 } };
    const bo = await tune(
      points,
      scenarios,
      { ...opts, goal: weighted, method: 'bo', bo: { budget: 24, batch: 4 } },
      evaluateWith(bowl),
    );
    expect(ab(bo.best)).to.deep.equal([8, 3]);
    expect(bo.runs).to.equal(48);
  });

  it('is deterministic and independent of the order runs finish in; the seed moves the first batch', async () => {
    const shuffled = async (tasks: SweepTask[]) => {
      // Computes in reverse order but returns by index, as the worker pool does.
      const out: RunOutcome[] = new Array(tasks.length);
      for (let i = tasks.length - 1; i >= 0; i--) out[i] = constrainedFake(tasks[i]!);
      return out;
    };
    const one = await tune(
      points,
      scenarios,
      { ...opts, method: 'bo', bo: { budget: 20, batch: 4 } },
      evaluateWith(constrainedFake),
    );
    const two = await tune(points, scenarios, { ...opts, method: 'bo', bo: { budget: 20, batch: 4 } }, shuffled);
    expect(JSON.stringify(two)).to.equal(JSON.stringify(one));
    expect(one.rungs.map((r) => r.candidates.length)).to.deep.equal([4, 4, 4, 4, 4]);
    const other = await tune(
      points,
      scenarios,
      { ...opts, masterSeed: 8, method: 'bo', bo: { budget: 20, batch: 4 } },
      evaluateWith(constrainedFake),
    );
    expect(other.rungs[0]!.candidates).to.not.deep.equal(one.rungs[0]!.candidates);
  });

  it('a failed point is never proposed again and never wins', async () => {
    const failing = (t: SweepTask): RunOutcome => (ab(t.point)[0] === 4 ? { error: 'boom' } : constrainedFake(t));
    const bo = await tune(
      points,
      scenarios,
      { ...opts, method: 'bo', bo: { budget: 30, batch: 5 } },
      evaluateWith(failing),
    );
    const all = bo.rungs.flatMap((r) => r.candidates);
    expect(new Set(all).size).to.equal(all.length);
    expect(ab(bo.best)[0]).to.not.equal(4);
    expect(bo.winner.feasible).to.equal(true);
  });
});

describe('bo pieces', () => {
  it('encodes numbers to [0, 1] (log ranges on a log scale), other values one-hot, single values not at all', () => {
    const ps = [
      {
        index: 0,
        params: [
          ['n', 1],
          ['w', 10],
          ['k', 'x'],
          ['c', 5],
        ] as [string, unknown][],
      },
      {
        index: 1,
        params: [
          ['n', 3],
          ['w', 100],
          ['k', 'y'],
          ['c', 5],
        ] as [string, unknown][],
      },
      {
        index: 2,
        params: [
          ['n', 2],
          ['w', 1000],
          ['k', 'x'],
          ['c', 5],
        ] as [string, unknown][],
      },
    ];
    const x = encodePoints(ps, new Set(['w'])).map((v) => Array.from(v, (u) => Number(u.toFixed(6))));
    const h = Number(Math.SQRT1_2.toFixed(6));
    expect(x).to.deep.equal([
      [0, 0, h, 0],
      [1, 0.5, 0, h],
      [0.5, 1, h, 0],
    ]);
  });

  it('the first batch is spread out (maximin): the corners of a square come before its middle', () => {
    const sq = [
      [0, 0],
      [1, 1],
      [0, 1],
      [1, 0],
      [0.5, 0.5],
    ].map((v) => Float64Array.from(v));
    const first = initialDesign(sq, 4, 1);
    expect(first).to.not.include(4);
    expect(initialDesign(sq, 4, 1)).to.deep.equal(first);
  });

  it('with no feasible point yet, proposes where feasibility is likeliest', () => {
    const line = Array.from({ length: 11 }, (_, i) => Float64Array.of(i / 10));
    // p99 falls with x; bound 10 is met only near x = 1; the observed points all miss it.
    const seen = [0, 2, 4, 6].map((i) => ({ point: i, cost: i, figures: [100 - 9 * i], feasible: false }));
    const [next] = proposeBatch(line, seen, [{ metric: 'p99Ms', max: 10 }], 1);
    expect(next).to.be.at.least(8);
  });

  it('budget and batch are checked; a budget above the points is clamped', () => {
    expect(boSettings({}, 10, {})).to.deep.include({ budget: 3, batch: 4 });
    expect(boSettings({ budget: 50 }, 10, {}).budget).to.equal(10);
    expect(() => boSettings({}, 30_000, {})).to.throw(
      UsageError,
      /--method bo searches at most 20,000 points, found 30,000/,
    );
    expect([...boSettings({}, 10, { w: { log: true }, v: { log: false } }).logPaths!]).to.deep.equal(['w']);
  });
});
