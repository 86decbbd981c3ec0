import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { UsageError } from '../../src/cli/errors.js';
import { boSettings } from '../../src/cli/tune-command.js';
import { parseScenario } from '../../src/scenario/load.js';
import { gridValues, SweepSchema } from '../../src/scenario/sweep-schema.js';
import { expandPoints, type SweepPoint } from '../../src/sweep/points.js';
import type { RunOutcome } from '../../src/sweep/run-row.js';
import type { SweepTask } from '../../src/sweep/runner.js';
import { decodeRange, encodeParams, searchSpace } from '../../src/sweep/space.js';
import { type Goal, type TuneResult, tune } from '../../src/sweep/tune.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const gmpsim = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin/gmpsim.js'), ...args], { cwd: root, encoding: 'utf8' });

describe('grid ranges ({min, max, int, log, steps})', () => {
  it('grid and halving run `steps` even values (log spaced for log, rounded and unrepeated for int)', () => {
    const r = (x: object) => SweepSchema.parse({ grid: { a: x } }).grid.a as Parameters<typeof gridValues>[0];
    expect(gridValues(r({ min: 0, max: 10 }))).to.deep.equal([0, 2.5, 5, 7.5, 10]); // steps: 5 by default
    expect(gridValues(r({ min: 1, max: 1000, log: true, steps: 4 }))).to.deep.equal([1, 10, 100, 1000]);
    expect(gridValues(r({ min: 1, max: 8, int: true }))).to.deep.equal([1, 3, 5, 6, 8]);
    expect(gridValues(r({ min: 1, max: 4, int: true, steps: 10 }))).to.deep.equal([1, 2, 3, 4]);
    expect(gridValues(r({ min: 0.1, max: 0.3, steps: 3 }))).to.deep.equal([0.1, 0.2, 0.3]);
    const spec = SweepSchema.parse({ grid: { a: { min: 0, max: 1, steps: 3 }, b: ['x', 'y'] } });
    expect(expandPoints(spec, 1).map((p) => p.params.map(([, v]) => v))).to.deep.equal([
      [0, 'x'],
      [0, 'y'],
      [0.5, 'x'],
      [0.5, 'y'],
      [1, 'x'],
      [1, 'y'],
    ]);
  });

  it('bad ranges are refused at file:line:col with their path (exit 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmpsim-range-'));
    try {
      for (const [range, path, message] of [
        ['{ min: 5, max: 1 }', 'sweep.grid.runtime.gomaxprocs.max', /expected max > min/],
        ['{ min: 0, max: 4, log: true }', 'sweep.grid.runtime.gomaxprocs.min', /expected min > 0 for a log range/],
        ['{ min: 1.2, max: 1.8, int: true }', 'sweep.grid.runtime.gomaxprocs.max', /at least two integers/],
        ['{ min: 1, max: 4, steps: 1 }', 'sweep.grid.runtime.gomaxprocs.steps', /2/],
        ['{ min: 1, max: 4, stride: 2 }', 'sweep.grid.runtime.gomaxprocs', /stride/],
      ] as const) {
        const file = join(dir, 'bad.yaml');
        writeFileSync(
          file,
          `name: bad\ndurationS: 5\nworkload: { request: { steps: [{ cpu: { dist: constant, valueMs: 1 } }] } ` +
            `}\nsweep:\n  grid:\n    runtime.gomaxprocs: ${range}\n`,
        );
        const r = gmpsim('tune', file, '--method', 'bo', '--out', join(dir, 'out'));
        expect(r.status, `${range}: ${r.stderr}`).to.equal(2);
        expect(r.stderr, range).to.match(/bad\.yaml:6:\d+/);
        expect(r.stderr, range).to.include(path);
        expect(r.stderr, range).to.match(message);
        expect(r.stderr, range).to.not.match(/\n\s+at /); // no stack trace
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Points of a parsed sweep, a fake scenario per point (the evaluator never runs them). */
function setup(grid: Record<string, unknown>) {
  const spec = SweepSchema.parse({ grid });
  const points = expandPoints(spec, 1);
  const scenario = parseScenario('durationS: 1\n', 'f.yaml');
  const scenarios = new Map(points.map((p) => [p.index, scenario]));
  const dims = searchSpace(spec)!;
  return { points, scenarios, dims, space: { dims, scenarioOf: () => scenario } };
}
const value = (r: TuneResult, points: readonly SweepPoint[], path: string) => {
  const all = [...points, ...(r.searched ?? [])];
  return all[r.best]!.params.find(([p]) => p === path)![1] as number;
};
const figures = (o: { p99?: number; cost: number }): RunOutcome => ({
  metrics: [0, 0, o.p99 ?? 0, 0, 0, 0, o.cost, 0, 0, 0, 0, 0, 0],
});
const paramsOf = (t: SweepTask, all: () => SweepPoint[]) =>
  Object.fromEntries(all()[t.point]!.params) as Record<string, number>;

describe('tune --method bo over a range: between the grid points', () => {
  const weighted: Goal = { kind: 'weighted', objective: { podSeconds: 1 } };

  it('finds an optimum that lies between grid points, closer than the best grid point', async () => {
    const { points, scenarios, space } = setup({ a: { min: 0, max: 10 } }); // grid: 0, 2.5, 5, 7.5, 10
    const seen: SweepPoint[] = [...points];
    const objective = (t: SweepTask) => {
      const { a } = paramsOf(t, () => seen);
      return figures({ cost: (a! - 3.7) ** 2 + 5 + (t.seed % 3) * 1e-3 });
    };
    // The evaluator learns new points from the tasks' scenarios' places: tune numbers them after the grid.
    const evaluate = async (tasks: SweepTask[]) => tasks.map(objective);
    const scenarioOf = (p: SweepPoint) => {
      seen[p.index] = p;
      return space.scenarioOf();
    };
    const grid = await tune(
      points,
      scenarios,
      { masterSeed: 3, maxSeeds: 2, eta: 3, goal: weighted, method: 'grid' },
      evaluate,
    );
    const bo = await tune(
      points,
      scenarios,
      {
        masterSeed: 3,
        maxSeeds: 2,
        eta: 3,
        goal: weighted,
        method: 'bo',
        bo: { budget: 8, batch: 2, space: { ...space, scenarioOf } },
      },
      evaluate,
    );
    const gridA = value(grid, points, 'a');
    const boA = value(bo, points, 'a');
    expect(Math.abs(gridA - 3.7)).to.be.closeTo(1.2, 1e-9);
    expect(Math.abs(boA - 3.7), `bo's a = ${boA}`).to.be.below(0.3);
    expect(bo.bestObjective).to.be.below(grid.bestObjective);
    expect(bo.runs).to.equal(16);
    expect(bo.searched!.length).to.be.greaterThan(0);
  });

  it('respects constraints, integers and log scales: least cost with p99 ≤ 40.5 lies off the grid', async () => {
    // cost 100 + 3a + 2b, p99 = 200 / (1 + a + b/2): feasible when a + b/2 ≥ 3.94; best a ≈ 3.94, b = 0 (111.8).
    // The grid (a: 0, 2.5, …, 10; b: 0, 3, 6, 9, 12) has its best at a = 2.5, b = 3 (113.5).
    const { points, scenarios, space } = setup({
      a: { min: 0, max: 10 },
      b: { min: 0, max: 12, int: true },
      w: { min: 0.01, max: 100, log: true },
    });
    const seen: SweepPoint[] = [...points];
    const f = (t: SweepTask) => {
      const { a, b, w } = paramsOf(t, () => seen);
      expect(Number.isInteger(b), `b = ${b}`).to.equal(true);
      expect(w).to.be.within(0.01, 100);
      // w matters on a log scale: its best is 1 (log10 w = 0), an extra cost of 2·(log10 w)².
      return figures({ p99: 200 / (1 + a! + b! / 2), cost: 100 + 3 * a! + 2 * b! + 2 * Math.log10(w!) ** 2 });
    };
    const evaluate = async (tasks: SweepTask[]) => tasks.map(f);
    const scenarioOf = (p: SweepPoint) => {
      seen[p.index] = p;
      return space.scenarioOf();
    };
    const goal: Goal = { kind: 'constrained', cost: 'podSeconds', constraints: [{ metric: 'p99Ms', max: 40.5 }] };
    const opts = { masterSeed: 5, maxSeeds: 1, eta: 3, goal };
    const grid = await tune(points, scenarios, { ...opts, method: 'grid' }, evaluate);
    expect(grid.bestObjective).to.be.closeTo(113.5, 1e-9);
    const bo = await tune(
      points,
      scenarios,
      { ...opts, method: 'bo', bo: { budget: 30, batch: 3, space: { ...space, scenarioOf } } },
      evaluate,
    );
    expect(bo.winner.feasible).to.equal(true);
    expect(bo.bestObjective, `bo's best ${bo.bestObjective}`).to.be.below(grid.bestObjective);
    expect(bo.runs).to.be.at.most(grid.runs / 3);
  });

  it('is deterministic: the same points whatever order the runs finish in; the seed moves them', async () => {
    const run = async (masterSeed: number, reverse: boolean) => {
      const { points, scenarios, space } = setup({ a: { min: 0, max: 10 }, k: ['x', 'y'] });
      const seen: SweepPoint[] = [...points];
      const f = (t: SweepTask) => {
        const p = Object.fromEntries(seen[t.point]!.params) as Record<string, unknown>;
        return figures({ cost: ((p.a as number) - 6.2) ** 2 + (p.k === 'x' ? 1 : 0) });
      };
      const evaluate = async (tasks: SweepTask[]) => {
        const out: RunOutcome[] = new Array(tasks.length);
        const order = tasks.map((_, i) => i);
        if (reverse) order.reverse();
        for (const i of order) out[i] = f(tasks[i]!);
        return out;
      };
      const scenarioOf = (p: SweepPoint) => {
        seen[p.index] = p;
        return space.scenarioOf();
      };
      return tune(
        points,
        scenarios,
        {
          masterSeed,
          maxSeeds: 2,
          eta: 3,
          goal: weighted,
          method: 'bo',
          bo: { budget: 7, batch: 3, space: { ...space, scenarioOf } },
        },
        evaluate,
      );
    };
    const one = await run(11, false);
    expect(JSON.stringify(await run(11, true))).to.equal(JSON.stringify(one));
    expect(JSON.stringify(await run(12, false))).to.not.equal(JSON.stringify(one));
  });

  it('over a range the budget may exceed the grid points, up to MAX_BO_RANGE_BUDGET', () => {
    expect(boSettings({ budget: 8 }, 5, {}, true).budget).to.equal(8);
    expect(boSettings({ budget: 8 }, 5, {}).budget).to.equal(5);
    expect(() => boSettings({ budget: 1001 }, 5, {}, true)).to.throw(UsageError, /evaluates at most 1,000 points/);
  });

  it('encodes a range on its own bounds (log for log) and decodes quantised, integers rounded', () => {
    const dims = searchSpace(
      SweepSchema.parse({
        grid: { a: { min: 1, max: 100, log: true }, n: { min: 1, max: 8, int: true }, k: ['x', 'y', 'z'] },
      }),
    )!;
    expect(
      Array.from(
        encodeParams(dims, [
          ['a', 10],
          ['n', 8],
          ['k', 'y'],
        ]),
        (v) => Number(v.toFixed(6)),
      ),
    ).to.deep.equal([0.5, 1, 0, Number(Math.SQRT1_2.toFixed(6)), 0]);
    const [a, n] = dims as [
      Extract<(typeof dims)[number], { kind: 'range' }>,
      Extract<(typeof dims)[number], { kind: 'range' }>,
    ];
    expect(decodeRange(a, 0.5)).to.equal(10);
    expect(decodeRange(a, 0.123456789)).to.equal(Number((10 ** (2 * 0.1235)).toPrecision(6)));
    expect(decodeRange(n, 0.5)).to.equal(5); // 1 + 3.5 → 4.5 rounds to 5
    expect(decodeRange(n, 2)).to.equal(8);
    expect(searchSpace(SweepSchema.parse({ grid: { a: [1, 2] } }))).to.equal(undefined);
  });
});

describe('gmpsim tune --method bo on a grid range', function () {
  this.timeout(600_000);
  it('writes the same tune.json on 1 and 2 workers, with the points it ran between the grid values', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmpsim-bo-range-'));
    try {
      const file = join(dir, 'range.yaml');
      writeFileSync(
        file,
        `name: bo-range
durationS: 30
warmupS: 5
workload:
  arrival: { process: steps, steps: [{ atS: 0, ratePerS: 200 }, { atS: 10, ratePerS: 800 }] }
  request: { steps: [{ cpu: { dist: exponential, meanMs: 1 } }] }
cluster: { replicas: 1, pod: { startupS: 2, readinessDelayS: 1 } }
metricsPipeline: { scrapeIntervalS: 5, cpuWindowS: 5 }
hpa:
  maxReplicas: 10
  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } } }]
  controller: { syncPeriodS: 5 }
sweep:
  grid:
    hpa.metrics[0].resource.target.averageUtilization: { min: 30, max: 90, int: true, steps: 4 }
  replications: 1
`,
      );
      const args = ['tune', file, '--method', 'bo', '--budget', '4', '--batch', '2', '--no-progress'];
      const one = gmpsim(...args, '--workers', '1', '--out', join(dir, 'bo-1'));
      expect(one.status, one.stderr).to.equal(0);
      const two = gmpsim(...args, '--workers', '2', '--out', join(dir, 'bo-2'));
      expect(two.status, two.stderr).to.equal(0);
      const tuned = (d: string) => readFileSync(join(dir, d, 'tune.json'), 'utf8');
      expect(tuned('bo-2')).to.equal(tuned('bo-1'));
      expect(two.stdout).to.equal(one.stdout.replace(join(dir, 'bo-1'), join(dir, 'bo-2')));
      const t = JSON.parse(tuned('bo-1'));
      expect(t).to.deep.include({ method: 'bo', runs: 4 });
      const ran = t.rungs.flatMap((r: { candidates: number[] }) => r.candidates);
      expect(ran).to.have.length(4);
      // The grid is 30, 50, 70, 90; bo's later points are whole percentages between them.
      expect(t.searched, 'points run between the grid values').to.have.length.greaterThan(0);
      for (const p of t.searched) {
        const v = p.params[0][1];
        expect(Number.isInteger(v) && v >= 30 && v <= 90, `${v}`).to.equal(true);
        expect([30, 50, 70, 90]).to.not.include(v);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
