import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { UsageError } from '../../src/cli/errors.js';
import { bestConfigYaml, parseConstraint, tuneGoal } from '../../src/cli/tune-command.js';
import { parseScenario } from '../../src/scenario/load.js';
import { SweepSchema } from '../../src/scenario/sweep-schema.js';
import { type RunRecord, type SweepMeta, sweepFiles, t975 } from '../../src/sweep/aggregate.js';
import { parsePath, setPath } from '../../src/sweep/paths.js';
import { expandPoints, runSeed } from '../../src/sweep/points.js';
import type { RunOutcome } from '../../src/sweep/run-row.js';
import { runTasks, StopSignal, type SweepTask } from '../../src/sweep/runner.js';
import {
  type Constraint,
  compareStandings,
  type Goal,
  plannedRuns,
  rungSchedule,
  standing,
  tune,
} from '../../src/sweep/tune.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const gmpsim = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin/gmpsim.js'), ...args], { cwd: root, encoding: 'utf8' });

/** A small sweep: 2 targets × 2 GOMAXPROCS × 2 random stabilization windows, 2 replications. */
function sweepFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gmpsim-sweep-'));
  const file = join(dir, 'small.yaml');
  writeFileSync(
    file,
    `name: small-sweep
durationS: 40
warmupS: 5
workload:
  arrival: { process: steps, steps: [{ atS: 0, ratePerS: 200 }, { atS: 15, ratePerS: 800 }] }
  request: { steps: [{ cpu: { dist: exponential, meanMs: 1 } }] }
cluster: { replicas: 1, pod: { startupS: 2, readinessDelayS: 1 } }
metricsPipeline: { scrapeIntervalS: 5, cpuWindowS: 5 }
hpa:
  maxReplicas: 10
  metrics: [{ type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 50 } } }]
  controller: { syncPeriodS: 5 }
sweep:
  grid:
    hpa.metrics[0].resource.target.averageUtilization: [40, 70]
    runtime.gomaxprocs: [1, 2]
  random:
    samples: 2
    ranges:
      hpa.behavior.scaleDown.stabilizationWindowSeconds: { min: 0, max: 60, int: true }
  replications: 2
`,
  );
  return file;
}

const read = (dir: string) =>
  Object.fromEntries(['runs.csv', 'points.csv', 'sweep.json'].map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

describe('sweep: points and seeds', () => {
  it('parses and sets scenario paths, creating what is missing', () => {
    expect(parsePath('hpa.metrics[0].resource.target')).to.deep.equal(['hpa', 'metrics', 0, 'resource', 'target']);
    const doc = { hpa: { metrics: [{ type: 'Resource', resource: { name: 'cpu' } }] } };
    expect(setPath(doc, parsePath('hpa.metrics[0].resource.name'), 'memory')).to.deep.equal({
      hpa: { metrics: [{ type: 'Resource', resource: { name: 'memory' } }] },
    });
    expect(setPath({}, parsePath('hpa.behavior.scaleDown.stabilizationWindowSeconds'), 60)).to.deep.equal({
      hpa: { behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } },
    });
    expect(doc.hpa.metrics[0]!.resource.name).to.equal('cpu'); // not mutated
  });

  it('the grid is a cartesian product (first path slowest) × random samples drawn from the master seed', () => {
    const spec = SweepSchema.parse({
      grid: { a: [1, 2], b: ['x', 'y', 'z'] },
      random: { samples: 2, ranges: { c: { min: 0, max: 10, int: true } } },
    });
    const pts = expandPoints(spec, 7);
    expect(pts).to.have.length(12);
    expect(pts.slice(0, 4).map((p) => p.params.slice(0, 2))).to.deep.equal([
      [
        ['a', 1],
        ['b', 'x'],
      ],
      [
        ['a', 1],
        ['b', 'x'],
      ],
      [
        ['a', 1],
        ['b', 'y'],
      ],
      [
        ['a', 1],
        ['b', 'y'],
      ],
    ]);
    expect(expandPoints(spec, 7)).to.deep.equal(pts);
    expect(expandPoints(spec, 8).map((p) => p.params[2])).to.not.deep.equal(pts.map((p) => p.params[2]));
    for (const p of pts) expect(Number.isInteger(p.params[2]![1])).to.equal(true);
  });

  it('run seeds hash (master, replication): stable, distinct, the same for every point (paired)', () => {
    const seeds = new Set<number>();
    for (let m = 0; m < 100; m++) for (let r = 0; r < 10; r++) seeds.add(runSeed(m, r));
    expect(seeds.size).to.equal(1000);
    expect(runSeed(42, 1)).to.equal(runSeed(42, 1));
  });

  it('aggregates: mean, sample stdev, 95% CI from Student t, quantiles; the objective weights means', () => {
    expect(t975(1)).to.equal(12.706);
    expect(t975(120)).to.be.closeTo(1.98, 0.001);
    const meta: SweepMeta = {
      name: 'x',
      masterSeed: 1,
      replications: 3,
      totalPoints: 1,
      paths: ['k'],
      objective: { podSeconds: 1, p99Ms: 2 },
    };
    const m = (pod: number, p99: number) => [1, 2, p99, 0, 0, 0, pod, 0, 0, 0, 0, 0, 0];
    const runs: RunRecord[] = [
      { point: 0, rep: 2, seed: 3, params: [['k', 1]], metrics: m(30, 3) },
      { point: 0, rep: 0, seed: 1, params: [['k', 1]], metrics: m(10, 1) },
      { point: 0, rep: 1, seed: 2, params: [['k', 1]], metrics: m(20, 2) },
    ];
    const json = JSON.parse(sweepFiles(meta, runs)['sweep.json']!);
    const pod = json.points[0].metrics.podSeconds;
    expect(pod.mean).to.equal(20);
    expect(pod.sd).to.equal(10);
    expect(pod.ci95).to.be.closeTo((4.303 * 10) / Math.sqrt(3), 1e-6);
    expect(json.points[0].objective).to.equal(20 + 2 * 2);
    expect(json.runs.map((r: RunRecord) => r.rep)).to.deep.equal([0, 1, 2]); // index order, not completion order
  });

  it('a run that throws in a worker is an error outcome with its point and seed; the other runs complete', async () => {
    const good = parseScenario('durationS: 1\n', 'ok.yaml');
    // An unresolved trace arrival (never produced by loading) makes the run throw inside the worker.
    const bad = {
      ...good,
      workload: { ...good.workload, arrival: { process: 'trace', file: 'x.csv', format: 'rates' } },
    } as unknown as typeof good;
    const tasks: SweepTask[] = [0, 1, 2].map((point) => ({
      point,
      rep: 0,
      seed: 1,
      scenario: point === 1 ? bad : good,
    }));
    const got = new Map<number, RunOutcome>();
    await runTasks(tasks, 2, (t, o) => got.set(t.point, o), new StopSignal());
    expect([...got.keys()].sort()).to.deep.equal([0, 1, 2]);
    expect('metrics' in got.get(0)!).to.equal(true);
    expect((got.get(1) as { error: string }).error).to.match(/arrival trace "x\.csv" was not loaded/);
    expect('metrics' in got.get(2)!).to.equal(true);
  });
});

describe('tune (successive halving over seeds)', () => {
  // Fake runs: point p's objective on seed s is (p − 6)² + noise, so point 6 is best.
  const points = Array.from({ length: 9 }, (_, index) => ({ index, params: [['x', index]] as [string, unknown][] }));
  const scenarios = new Map(points.map((p) => [p.index, parseScenario('durationS: 1\n', 'f.yaml')]));
  const fake = async (tasks: SweepTask[]): Promise<RunOutcome[]> =>
    tasks.map((t) => ({ metrics: [0, 0, 0, 0, 0, 0, (t.point - 6) ** 2 + (t.seed % 1000) / 1000, 0, 0, 0, 0, 0, 0] }));
  const opts = { masterSeed: 1, maxSeeds: 9, eta: 3, goal: { kind: 'weighted', objective: { podSeconds: 1 } } as Goal };

  it('finds the same best point as the full grid with a third of the runs', async () => {
    const grid = await tune(points, scenarios, { ...opts, method: 'grid' }, fake);
    const halving = await tune(points, scenarios, { ...opts, method: 'halving' }, fake);
    expect(grid.best).to.equal(6);
    expect(halving.best).to.equal(6);
    expect(grid.runs).to.equal(81);
    // 9 × 1, then 3 × 3 (2 new each), then 1 × 9 (6 new): 9 + 6 + 6 = 21 runs.
    expect(halving.runs).to.equal(21);
    expect(halving.rungs.map((r) => [r.candidates.length, r.seeds])).to.deep.equal([
      [9, 1],
      [3, 3],
      [1, 9],
    ]);
    // The progress bar's total is known before any run: the schedule does not depend on results.
    expect(plannedRuns(rungSchedule(9, 'halving', 9, 3))).to.equal(halving.runs);
    expect(plannedRuns(rungSchedule(9, 'grid', 9, 3))).to.equal(grid.runs);
    expect(() => rungSchedule(9, 'halving', 9, 1)).to.throw(/η ≥ 2/);
  });
});

describe('tune with constraints (least cost among the points that meet them)', () => {
  // Point p: cost (podSeconds) = 100 − 10p, p99 = 20p ms (+ noise), errors = p: cheaper points are slower.
  const points = Array.from({ length: 9 }, (_, index) => ({ index, params: [['x', index]] as [string, unknown][] }));
  const scenarios = new Map(points.map((p) => [p.index, parseScenario('durationS: 1\n', 'f.yaml')]));
  const fig = (p: number, s: number) => [1, 2, 20 * p + 1 + (s % 7), 0, p, 0, 100 - 10 * p, 0, 0, 0, 0, 0, 0];
  const fake = async (tasks: SweepTask[]): Promise<RunOutcome[]> =>
    tasks.map((t) => ({ metrics: fig(t.point, t.seed) }));
  const run = (constraints: Constraint[], method: 'grid' | 'halving' = 'grid') =>
    tune(
      points,
      scenarios,
      { method, masterSeed: 1, maxSeeds: 3, eta: 3, goal: { kind: 'constrained', cost: 'podSeconds', constraints } },
      fake,
    );

  it('picks the cheapest point that meets p99 ≤ X and errors ≤ Y; the runner-up is the next feasible one', async () => {
    const r = await run([{ metric: 'p99Ms', max: 110 }]);
    // p99 ≈ 20p + 1..7 ≤ 110 → p ≤ 5; cheapest of those is p = 5.
    expect(r.best).to.equal(5);
    expect(r.noneFeasible).to.equal(false);
    expect(r.winner.figures.podSeconds).to.equal(50);
    expect(r.runnerUp!.point).to.equal(4);
    expect(r.runnerUp!.feasible).to.equal(true);
    expect(
      (
        await run([
          { metric: 'p99Ms', max: 110 },
          { metric: 'errors', max: 3 },
        ])
      ).best,
    ).to.equal(3);
  });

  it('when no point meets the constraints it says so and returns the closest', async () => {
    const r = await run([{ metric: 'p99Ms', max: 0.5 }]);
    expect(r.noneFeasible).to.equal(true);
    expect(r.best).to.equal(0); // p99 ≈ 1..7 everywhere above 0.5: point 0 misses by least
    expect(r.winner.violation).to.be.greaterThan(0);
  });

  it('equal costs rank by headroom under the constraints (as cheap and faster first), then by index', () => {
    const goal: Goal = { kind: 'constrained', cost: 'podSeconds', constraints: [{ metric: 'p99Ms', max: 40 }] };
    const m = (p99: number) => [1, 2, p99, 0, 0, 0, 420, 0, 0, 0, 0, 0, 0];
    const slow = standing(4, [m(37)], goal),
      fast = standing(5, [m(27)], goal);
    expect([slow, fast].sort(compareStandings).map((s) => s.point)).to.deep.equal([5, 4]);
    expect(
      [standing(5, [m(30)], goal), standing(4, [m(30)], goal)].sort(compareStandings).map((s) => s.point),
    ).to.deep.equal([4, 5]);
  });

  it('halving ranks the same way (feasible by cost, then the rest by violation)', async () => {
    expect((await run([{ metric: 'p99Ms', max: 110 }], 'halving')).best).to.equal(5);
  });

  it('constraint, cost and objective flags are checked: bad ones are usage errors', () => {
    expect(parseConstraint('p99Ms<=200')).to.deep.equal({ metric: 'p99Ms', max: 200 });
    expect(parseConstraint('errors ≤ 0')).to.deep.equal({ metric: 'errors', max: 0 });
    expect(() => parseConstraint('p99<=200')).to.throw(UsageError, /expected a metric, one of p50Ms, .*found "p99"/);
    expect(() => parseConstraint('p99Ms>=200')).to.throw(UsageError, /expected METRIC<=VALUE/);
    expect(() => parseConstraint('p99Ms<=-1')).to.throw(UsageError, /expected a bound ≥ 0, found "-1"/);
    expect(() => parseConstraint('p99Ms<=abc')).to.throw(UsageError, /expected a bound ≥ 0/);
    expect(tuneGoal({}, 250, {})).to.deep.equal({
      kind: 'constrained',
      cost: 'podSeconds',
      constraints: [{ metric: 'p99Ms', max: 250 }],
    });
    expect(() => tuneGoal({ cost: 'dollars' }, 250, {})).to.throw(UsageError, /--cost: expected a metric/);
    expect(() => tuneGoal({ objective: 'best' }, 250, {})).to.throw(
      UsageError,
      /--objective: expected constrained or weighted/,
    );
    expect(() => tuneGoal({ objective: 'weighted', cost: 'p99Ms' }, 250, {})).to.throw(
      UsageError,
      /drop --cost and --constraint/,
    );
  });
});

describe('tune output', () => {
  it('a tuned density controller prints its scenario block with the winning α, β, γ', () => {
    const yaml = bestConfigYaml(
      { name: 'd', densityController: { targetGoroutinesPerPod: 20 } },
      {
        index: 0,
        params: [
          ['densityController.alpha', 0.1],
          ['densityController.gamma', 500],
        ],
      },
      'd',
    );
    expect(yaml).to.equal('densityController:\n  targetGoroutinesPerPod: 20\n  alpha: 0.1\n  gamma: 500\n');
  });
});

describe('gmpsim sweep / merge', function () {
  this.timeout(180_000);
  const file = sweepFile();
  const tmp = mkdtempSync(join(tmpdir(), 'gmpsim-sweep-out-'));

  it('1 and 2 workers write byte-identical results; the best points print', () => {
    const a = gmpsim('sweep', file, '--workers', '1', '--out', join(tmp, 'w1'));
    expect(a.status, a.stderr).to.equal(0);
    expect(a.stdout).to.match(/small-sweep: 8 points × 2 replications/);
    const b = gmpsim('sweep', file, '--workers', '2', '--out', join(tmp, 'w2'), '--quiet');
    expect(b.status, b.stderr).to.equal(0);
    expect(read(join(tmp, 'w2'))).to.deep.equal(read(join(tmp, 'w1')));
    expect(read(join(tmp, 'w1'))['runs.csv']!.trim().split('\n')).to.have.length(1 + 16);
  });

  it('shards 1/3, 2/3, 3/3 merged give exactly the unsharded files', () => {
    for (const k of [1, 2, 3])
      expect(gmpsim('sweep', file, '--shard', `${k}/3`, '--out', join(tmp, `s${k}`), '--quiet').status).to.equal(0);
    const partial = gmpsim('merge', join(tmp, 's1'), join(tmp, 's2'), '--out', join(tmp, 'm-bad'));
    expect(partial.status).to.equal(2);
    expect(partial.stderr).to.match(/incomplete: \d+ of 16 runs missing/);
    const m = gmpsim(
      'merge',
      join(tmp, 's1'),
      join(tmp, 's2'),
      join(tmp, 's3'),
      '--out',
      join(tmp, 'merged'),
      '--quiet',
    );
    expect(m.status, m.stderr).to.equal(0);
    expect(read(join(tmp, 'merged'))).to.deep.equal(read(join(tmp, 'w1')));
  });

  it('--resume keeps the journaled runs and runs only the rest (an interrupted sweep leaves no result files)', () => {
    const dir = join(tmp, 'resume');
    expect(gmpsim('sweep', file, '--workers', '2', '--out', dir, '--quiet').status).to.equal(0);
    // Simulate Ctrl-C after 5 runs: the journal keeps 5 lines and no result file exists yet.
    const lines = readFileSync(join(dir, 'runs.jsonl'), 'utf8').trim().split('\n');
    const kept = lines.slice(0, 5);
    writeFileSync(join(dir, 'runs.jsonl'), `${kept.join('\n')}\n`);
    for (const f of ['runs.csv', 'points.csv', 'sweep.json']) rmSync(join(dir, f));
    const r = gmpsim('sweep', file, '--workers', '2', '--out', dir, '--resume', '--quiet');
    expect(r.status, r.stderr).to.equal(0);
    const after = readFileSync(join(dir, 'runs.jsonl'), 'utf8').trim().split('\n');
    expect(after.slice(0, 5)).to.deep.equal(kept);
    expect(after).to.have.length(16);
    expect(read(dir)).to.deep.equal(read(join(tmp, 'w1')));
  });

  it(
    'Ctrl-C stops cleanly: exit 130, finished runs kept in runs.jsonl, no result files that look ' + 'complete',
    async () => {
      const long = file.replace('small.yaml', 'long.yaml');
      writeFileSync(long, readFileSync(file, 'utf8').replace('durationS: 40', 'durationS: 2000'));
      const dir = join(tmp, 'sigint');
      const child = spawn(
        process.execPath,
        [join(root, 'bin/gmpsim.js'), 'sweep', long, '--workers', '2', '--out', dir],
        { cwd: root },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // Wait until the journal exists (the sweep is running), then interrupt.
      while (!existsSync(join(dir, 'journal-meta.json'))) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGINT');
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(code).to.equal(130);
      expect(stderr).to.match(/interrupted: \d+ of 16 runs kept in .*runs\.jsonl; rerun with --resume/);
      for (const f of ['runs.csv', 'points.csv', 'sweep.json']) expect(existsSync(join(dir, f)), f).to.equal(false);
    },
  );

  it(
    "gmpsim tune --method grid picks the sweep's best point and prints it as an HPA manifest; halving runs " + 'fewer',
    () => {
      const g = gmpsim(
        'tune',
        file,
        '--method',
        'grid',
        '--objective',
        'weighted',
        '--workers',
        '2',
        '--out',
        join(tmp, 'tune-grid'),
        '--json',
      );
      expect(g.status, g.stderr).to.equal(0);
      const grid = JSON.parse(g.stdout);
      const sweep = JSON.parse(read(join(tmp, 'w1'))['sweep.json']!);
      expect(grid.best).to.equal(sweep.best[0]);
      expect(grid.bestConfig).to.match(/^apiVersion: autoscaling\/v2\nkind: HorizontalPodAutoscaler\n/);
      expect(grid.bestConfig).to.match(/scaleTargetRef:/);
      const h = JSON.parse(
        gmpsim('tune', file, '--objective', 'weighted', '--workers', '2', '--out', join(tmp, 'tune-h'), '--json')
          .stdout,
      );
      const bad = gmpsim('tune', file, '--eta', '1');
      expect(bad.status).to.equal(2);
      expect(bad.stderr).to.match(/--eta <n>' argument '1' is invalid\. expected an integer from 2 to 100/);
      expect(h.runs).to.be.below(grid.runs);
    },
  );

  it('gmpsim tune --method bo writes the same tune.json on 1 and 2 workers; its settings are checked', () => {
    const args = ['tune', file, '--method', 'bo', '--budget', '3', '--batch', '2', '--no-progress'];
    const one = gmpsim(...args, '--workers', '1', '--out', join(tmp, 'bo-1'));
    expect(one.status, one.stderr).to.equal(0);
    expect(one.stdout).to.match(
      /Bayesian optimisation \(batches of 2\) over 8 points, 6 runs\n {2}3 points × 2 seeds: /,
    );
    const two = gmpsim(...args, '--workers', '2', '--out', join(tmp, 'bo-2'));
    expect(two.status, two.stderr).to.equal(0);
    const tuned = (d: string) => readFileSync(join(tmp, d, 'tune.json'), 'utf8');
    expect(tuned('bo-2')).to.equal(tuned('bo-1'));
    expect(JSON.parse(tuned('bo-1'))).to.deep.include({ method: 'bo', budget: 3, batch: 2, runs: 6 });
    const zero = gmpsim('tune', file, '--method', 'bo', '--budget', '0');
    expect(zero.status).to.equal(2);
    expect(zero.stderr).to.match(/--budget <n>' argument '0' is invalid/);
    const notBo = gmpsim('tune', file, '--method', 'grid', '--batch', '2');
    expect(notBo.status).to.equal(2);
    expect(notBo.stderr).to.match(/--budget and --batch are settings of --method bo/);
    const badMethod = gmpsim('tune', file, '--method', 'tpe');
    expect(badMethod.stderr).to.match(/--method: expected halving, grid or bo, found "tpe"/);
  });

  it('a point the schema rejects fails before any run, naming the point (exit 2)', () => {
    const bad = file.replace('small.yaml', 'bad.yaml');
    writeFileSync(bad, readFileSync(file, 'utf8').replace('runtime.gomaxprocs: [1, 2]', 'runtime.gomaxprocs: [1, 0]'));
    const r = gmpsim('sweep', bad, '--out', join(tmp, 'bad'));
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/sweep \(point \d+: .*runtime\.gomaxprocs=0.*\) → runtime\.gomaxprocs: expected/);
  });
});
