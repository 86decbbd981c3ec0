import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import {
  detectRegimes,
  type HpaSync,
  REGIME_KINDS,
  type RegimeKind,
  type RunTables,
} from '../../src/explain/regimes.js';
import { parseScenario } from '../../src/scenario/load.js';
import { compareScenarios } from '../../src/scenario/variants.js';
import { runScenario } from '../../src/sim/experiment.js';

/** A run of `n` one-second intervals whose columns are given as functions of the row index. */
function tables(n: number, cols: Record<string, (i: number) => number>, extra: Partial<RunTables> = {}): RunTables {
  const columns = ['t_s', ...Object.keys(cols)];
  const rows = Array.from({ length: n }, (_, i) => [i + 1, ...Object.values(cols).map((f) => f(i))]);
  return { columns, rows, serviceP50Ms: 2, gomaxprocs: 2, ...extra };
}

const sync = (
  tS: number,
  current: number,
  desired: number,
  proposals: string,
  able = 'True/ReadyForNewScale',
  limited = 'False/DesiredWithinRange',
  active = 'True/ValidMetricFound',
): HpaSync => ({
  tS,
  currentReplicas: current,
  desiredReplicas: desired,
  proposals,
  ableToScale: able,
  scalingActive: active,
  scalingLimited: limited,
});

const calm = { replicas_desired: () => 2, replicas_ready: () => 2, pods_pending: () => 0 };

/** Each detector: a run that shows it (with the window it must report) and one that does not. */
const cases: { kind: RegimeKind; shows: RunTables; window: [number, number]; not: RunTables }[] = [
  {
    kind: 'overload',
    shows: tables(10, {
      arrivals_per_s: () => 1000,
      completions_per_s: (i) => (i >= 3 && i <= 7 ? 600 : 1000),
      in_flight: (i) => (i >= 3 ? 50 * i : 0),
    }),
    window: [4, 8],
    not: tables(10, { arrivals_per_s: () => 1000, completions_per_s: () => 990, in_flight: () => 10 }),
  },
  {
    kind: 'syscall-backlog',
    // Issue 26's service: 1 ms CPU + 5 ms syscall; the backlog's p50 runs to seconds.
    shows: tables(
      8,
      {
        in_syscall: () => 1,
        runnable: (i) => (i >= 2 ? 300 : 0),
        latency_p50_ms: (i) => (i >= 2 ? 5200 : 7),
        utilization: () => 0.2,
      },
      { serviceP50Ms: 6.5 },
    ),
    window: [3, 8],
    // The same queue with the CPUs busy is CPU overload, not Ps stranded in syscalls.
    not: tables(
      8,
      { in_syscall: () => 1, runnable: () => 300, latency_p50_ms: () => 5200, utilization: () => 0.97 },
      { serviceP50Ms: 6.5 },
    ),
  },
  {
    kind: 'cfs-throttling',
    shows: tables(6, {
      throttled_ms_per_s: () => 300,
      throttled_periods_per_s: () => 10,
      latency_p99_ms: () => 90,
      ...calm,
    }),
    window: [1, 6],
    // 4 ms of each second per pod: below the 10 ms a second that counts.
    not: tables(6, { throttled_ms_per_s: () => 8, throttled_periods_per_s: () => 1, ...calm }),
  },
  {
    kind: 'mark-assist',
    shows: tables(5, { gc_assist_ms_per_s: (i) => (i < 2 ? 0 : 400), ...calm }),
    window: [3, 5],
    not: tables(5, { gc_assist_ms_per_s: () => 100, ...calm }),
  },
  {
    kind: 'pods-not-ready',
    shows: tables(6, {
      replicas_desired: (i) => (i >= 1 ? 6 : 2),
      replicas_ready: (i) => (i >= 4 ? 6 : 2),
      pods_pending: () => 0,
    }),
    window: [2, 4],
    not: tables(6, calm),
  },
  {
    kind: 'hpa-at-max',
    // Two metrics (cpu and goroutines): the HPA takes the larger proposal.
    shows: tables(1, calm, {
      maxReplicas: 10,
      hpa: [sync(15, 6, 10, '14 3'), sync(30, 10, 10, '2 17'), sync(45, 10, 10, '12 '), sync(60, 10, 9, '9 4')],
    }),
    window: [15, 45],
    not: tables(1, calm, { maxReplicas: 10, hpa: [sync(15, 6, 10, '10'), sync(30, 10, 10, '10')] }),
  },
  {
    kind: 'hpa-metrics-unavailable',
    shows: tables(1, calm, {
      hpa: [
        sync(15, 2, 2, '2'),
        sync(30, 2, 2, '', 'False/BackoffBoth', 'False/DesiredWithinRange', 'False/FailedGetResourceMetric'),
        sync(45, 2, 4, '4'),
      ],
    }),
    window: [30, 30],
    not: tables(1, calm, { hpa: [sync(15, 2, 2, '2'), sync(30, 2, 4, '4')] }),
  },
  {
    kind: 'hpa-limited-by-behavior',
    shows: tables(1, calm, {
      hpa: [sync(15, 2, 4, '9', 'True/ReadyForNewScale', 'True/ScaleUpLimit'), sync(30, 4, 4, '4')],
    }),
    window: [15, 15],
    not: tables(1, calm, { hpa: [sync(15, 2, 4, '4'), sync(30, 4, 4, '4')] }),
  },
  {
    kind: 'pool-exhaustion',
    // Two dependencies' pools: the db pool runs out from the 4th second to the 7th; the cache's never does.
    shows: tables(10, {
      pool_db_waiting: (i) => (i >= 3 && i <= 6 ? 40 : 0),
      pool_db_wait_ms_per_s: (i) => (i >= 3 && i <= 6 ? 8000 : 0),
      pool_cache_waiting: () => 0,
      pool_cache_wait_ms_per_s: () => 0,
    }),
    window: [4, 7],
    // A waiter now and then (a short burst) is a pool doing its job.
    not: tables(10, { pool_db_waiting: (i) => (i % 2 === 0 ? 1 : 0), pool_db_wait_ms_per_s: () => 5 }),
  },
  {
    kind: 'netpoll-delay',
    // 500 Gs/s through the poller; from the 3rd second to the 6th each waits 12 ms there (sysmon's scale).
    shows: tables(8, {
      netpoll_ready_per_s: () => 500,
      netpoll_delay_ms_per_s: (i) => (i >= 2 && i <= 5 ? 6000 : 100),
    }),
    window: [3, 6],
    // 2 ms each (a busy P's quantum: ordinary CPU queueing), or long waits at a trickle of 5 Gs/s.
    not: tables(8, {
      netpoll_ready_per_s: (i) => (i < 4 ? 500 : 5),
      netpoll_delay_ms_per_s: (i) => (i < 4 ? 1000 : 60),
    }),
  },
  {
    kind: 'hpa-scale-down-stabilized',
    shows: tables(1, calm, {
      hpa: [sync(15, 6, 6, '2', 'True/ScaleDownStabilized'), sync(30, 6, 6, '3', 'True/ScaleDownStabilized')],
    }),
    window: [15, 30],
    // Stabilized but the metrics ask for as many pods as there are: nothing was held back.
    not: tables(1, calm, {
      hpa: [sync(15, 6, 6, '6', 'True/ScaleDownStabilized'), sync(30, 6, 6, '6', 'True/ScaleDownStabilized')],
    }),
  },
  {
    kind: 'hpa-scale-down-stabilized',
    shows: tables(1, calm, {
      minReplicas: 2,
      hpa: [sync(15, 6, 6, '1', 'True/ScaleDownStabilized'), sync(30, 6, 6, '1', 'True/ScaleDownStabilized')],
    }),
    window: [15, 30],
    // At minReplicas the floor holds the size, not the window.
    not: tables(1, calm, {
      minReplicas: 2,
      hpa: [sync(15, 2, 2, '1', 'True/ScaleDownStabilized'), sync(30, 2, 2, '1', 'True/ScaleDownStabilized')],
    }),
  },
];

describe('explanations: the regimes a run fell into (src/explain/regimes.ts)', () => {
  it('every kind has its case here', () => {
    expect([...new Set(cases.map((c) => c.kind))].sort()).to.deep.equal([...REGIME_KINDS].sort());
  });

  for (const c of cases) {
    it(`${c.kind}: found with its window and evidence where it holds, not where it does not`, () => {
      const found = detectRegimes(c.shows).filter((r) => r.kind === c.kind);
      expect(found, JSON.stringify(detectRegimes(c.shows))).to.have.length(1);
      expect([found[0]!.fromS, found[0]!.toS]).to.deep.equal(c.window);
      expect(found[0]!.evidence).to.match(/\d/);
      expect(detectRegimes(c.not).filter((r) => r.kind === c.kind)).to.deep.equal([]);
    });
  }

  it('a run without the columns a detector reads (no cluster, no HPA) finds nothing for it', () => {
    expect(detectRegimes(tables(5, { in_flight: () => 1 }))).to.deep.equal([]);
  });

  it('one-row gaps are bridged; a shorter run than minRows is not a regime', () => {
    const growing = (i: number) => 5 + 100 * i;
    const blip = tables(10, {
      arrivals_per_s: () => 1000,
      completions_per_s: (i) => (i === 2 || i === 3 || i === 5 ? 500 : 1000),
      in_flight: growing,
    });
    expect(detectRegimes(blip).map((r) => [r.kind, r.fromS, r.toS])).to.deep.equal([['overload', 3, 6]]);
    const short = tables(10, {
      arrivals_per_s: () => 1000,
      completions_per_s: (i) => (i === 2 || i === 3 ? 500 : 1000),
      in_flight: growing,
    });
    expect(detectRegimes(short)).to.deep.equal([]);
  });

  it('overload needs a queue that builds: seconds of backlog alternating with catch-up are not one', () => {
    // syscalls-grow-threads after the sysmon fixes: 70 runnable, then 0, then 64… with in flight flat.
    const alternating = tables(8, {
      arrivals_per_s: () => 500,
      completions_per_s: (i) => (i % 2 === 0 ? 410 : 570),
      in_flight: (i) => (i % 2 === 0 ? 85 : 15),
    });
    expect(detectRegimes(alternating)).to.deep.equal([]);
  });
});

describe('explanations in a run (summary.json regimes)', function () {
  this.timeout(120_000);
  /** Issue 26's service: 1 ms of CPU, then a 5 ms blocking syscall, on one P. */
  const trap = (ratePerS: number) =>
    parseScenario(
      `durationS: 20\nwarmupS: 0\nworkload:\n  arrival: { process: poisson, ratePerS: ${ratePerS} }\n  request:\n  ` +
        `  steps:\n` +
        '      - cpu: { dist: exponential, meanMs: 1 }\n      - syscall: { dist: constant, valueMs: 5 }\nruntime: ' +
        '{ gomaxprocs: 1 }\n',
      'trap.yaml',
    );

  it('the syscall backlog is named with its start time where the run falls in, and not below the trap', () => {
    const trapped = runScenario(trap(300), 1).summary.regimes ?? [];
    const backlog = trapped.filter((r) => r.kind === 'syscall-backlog');
    expect(backlog.length, JSON.stringify(trapped)).to.be.greaterThan(0);
    expect(backlog[0]!.fromS).to.be.within(1, 20);
    expect(backlog[0]!.evidence).to.match(/median service time/);
    const clean = runScenario(trap(150), 1).summary.regimes ?? [];
    expect(clean.filter((r) => r.kind === 'syscall-backlog')).to.deep.equal([]);
  });

  it('CFS throttling is named for GOMAXPROCS above the quota, not with GOMAXPROCS 1 (the curated comparison)', () => {
    const file = 'scenarios/gomaxprocs-above-cpu-limit.yaml';
    const variants = compareScenarios(readFileSync(file, 'utf8'), file).variants;
    const kinds = (name: string) =>
      (runScenario(variants.find((v) => v.name === name)!.scenario, 1).summary.regimes ?? []).map((r) => r.kind);
    expect(kinds('go1.19-default')).to.include('cfs-throttling');
    expect(kinds('gomaxprocs-1')).to.not.include('cfs-throttling');
  });

  it('netpoll delay is named for 2 Ps at 96 % busy (only sysmon polls), not at 25 % (the Ps run dry and poll)', () => {
    const regimes = (ratePerS: number) =>
      runScenario(
        parseScenario(
          JSON.stringify({
            durationS: 20,
            runtime: { gomaxprocs: 2 },
            workload: {
              arrival: { process: 'poisson', ratePerS },
              request: {
                steps: [
                  { cpu: { dist: 'exponential', meanMs: 2.5 } },
                  { netpoll: { dist: 'constant', valueMs: 2 } },
                  { cpu: { dist: 'exponential', meanMs: 2.5 } },
                ],
              },
            },
          }),
          'np.json',
        ),
        1,
      ).summary.regimes ?? [];
    const busy = regimes(380).filter((r) => r.kind === 'netpoll-delay');
    expect(busy, JSON.stringify(busy)).to.have.length(1);
    expect(busy[0]!.toS - busy[0]!.fromS).to.be.at.least(10);
    expect(busy[0]!.evidence).to.match(/from ready to runnable on average/);
    expect(regimes(100).map((r) => r.kind)).to.not.include('netpoll-delay');
  });

  it(
    'pool exhaustion is named for 4 connections per pod under the flash crowd, not for 32 (the curated ' +
      'comparison)',
    () => {
      const file = 'scenarios/pool-exhaustion-flash-crowd.yaml';
      const variants = compareScenarios(readFileSync(file, 'utf8'), file).variants;
      const regimes = (name: string) =>
        runScenario(variants.find((v) => v.name === name)!.scenario, 1).summary.regimes ?? [];
      const exhausted = regimes('max-open-4').filter((r) => r.kind === 'pool-exhaustion');
      expect(exhausted, JSON.stringify(exhausted)).to.have.length(1);
      expect(exhausted[0]!.evidence).to.match(/requests waiting for a connection/);
      expect(regimes('max-open-32').map((r) => r.kind)).to.not.include('pool-exhaustion');
    },
  );
});
