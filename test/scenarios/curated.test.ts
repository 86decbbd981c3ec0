import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { compareScenarios } from '../../src/scenario/variants.js';
import { runScenario } from '../../src/sim/experiment.js';
import type { RunSummary } from '../../src/sim/summary.js';

/** Run each variant of a curated compare scenario once (seed 1). */
function variants(file: string): Record<string, RunSummary> {
  const { variants: vs } = compareScenarios(readFileSync(file, 'utf8'), file);
  return Object.fromEntries(vs.map((v) => [v.name, runScenario(v.scenario, 1).summary]));
}

describe('curated scenarios', () => {
  it('every file in scenarios/ is a valid scenario', () => {
    const files = readdirSync('scenarios').filter((f) => f.endsWith('.yaml'));
    expect(files.length).to.be.greaterThan(5);
    for (const f of files) expect(() => loadScenarioFile(`scenarios/${f}`), f).not.to.throw();
  });

  it(
    'gomaxprocs-above-cpu-limit: Go 1.19 (8 Ps on 1 core) is throttled and slower at p99 than GOMAXPROCS 1; Go ' +
      '1.25 picks 2 Ps',
    () => {
      const r = variants('scenarios/gomaxprocs-above-cpu-limit.yaml');
      expect(r['go1.19-default']!.gomaxprocs).to.equal(8);
      expect(r['go1.25-default']!.gomaxprocs).to.equal(2);
      expect(r['go1.19-default']!.gmp!.cpuThrottling!.throttledPeriods).to.be.greaterThan(0);
      expect(r['gomaxprocs-1']!.gmp!.cpuThrottling!.throttledPeriods).to.equal(0);
      expect(r['go1.19-default']!.latencyMs.p99).to.be.greaterThan(r['gomaxprocs-1']!.latencyMs.p99);
    },
  );

  it(
    'gomaxprocs-above-cpu-limit: runtime.GOMAXPROCS(1) at 30 s (procresize) ends the throttling and its p99 from ' +
      'then on',
    () => {
      const file = 'scenarios/gomaxprocs-above-cpu-limit.yaml';
      const runs = Object.fromEntries(
        compareScenarios(readFileSync(file, 'utf8'), file).variants.map((v) => [v.name, runScenario(v.scenario, 1)]),
      );
      const live = runs['gomaxprocs-1-at-30s']!;
      expect(live.summary.gmp!.procresize).to.include({ gomaxprocs: 1, changes: 1, destroyedPs: 7, createdPs: 0 });
      const col = (r: (typeof runs)[string], name: string, from: number, to: number) => {
        const t = r.series.columns.indexOf('t_s');
        const c = r.series.columns.indexOf(name);
        return r.series.rows.filter((row) => row[t]! > from && row[t]! <= to).map((row) => row[c]!);
      };
      const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
      const mean = (xs: number[]) => sum(xs) / xs.length;
      // Before the call: the same run as go1.19-default (same seed, same 8 Ps); after it, never throttled.
      expect(col(live, 'throttled_ms_per_s', 5, 30)).to.deep.equal(
        col(runs['go1.19-default']!, 'throttled_ms_per_s', 5, 30),
      );
      expect(sum(col(live, 'throttled_ms_per_s', 5, 30))).to.be.greaterThan(1000);
      expect(sum(col(live, 'throttled_ms_per_s', 31, 60))).to.equal(0);
      // Once the backlog of the change has drained, its per-second p99 is GOMAXPROCS 1's, not Go 1.19's.
      const p99 = (name: string) => mean(col(runs[name]!, 'latency_p99_ms', 35, 60));
      expect(p99('gomaxprocs-1-at-30s')).to.be.below(0.7 * p99('go1.19-default'));
      expect(p99('gomaxprocs-1-at-30s')).to.be.below(1.3 * p99('gomaxprocs-1'));
    },
  );

  it('gomemlimit-vs-oom: GOGC alone is OOM-killed; GOMEMLIMIT is not', () => {
    const r = variants('scenarios/gomemlimit-vs-oom.yaml');
    expect(r['gogc-only']!.cluster.oomKills).to.be.greaterThan(0);
    expect(r['gomemlimit-150']!.cluster.oomKills).to.equal(0);
  });

  it('gc-mark-assist: turning assists off removes their tail; GOGC 200 halves the GC CPU', () => {
    const r = variants('scenarios/gc-mark-assist.yaml');
    expect(r['gogc-100']!.gmp!.gc!.assistFraction).to.be.greaterThan(0);
    expect(r['no-assist']!.gmp!.gc!.assistFraction).to.equal(0);
    expect(r['gogc-100']!.latencyMs.p99).to.be.greaterThan(r['no-assist']!.latencyMs.p99);
    expect(r['gogc-200']!.gmp!.gc!.cycles).to.be.below(0.7 * r['gogc-100']!.gmp!.gc!.cycles);
  });

  it('numa-stealing: the NUMA-aware order steals across nodes less; one node is fastest', () => {
    const r = variants('scenarios/numa-stealing.yaml');
    expect(r['numa-aware']!.gmp!.numa!.crossNodeSteals).to.be.below(r.random!.gmp!.numa!.crossNodeSteals);
    expect(r.uniform!.latencyMs.p50).to.be.below(r.random!.latencyMs.p50);
  });

  it('work-stealing-burst: idle Ps steal the 64-child bursts; one P alone is far slower', () => {
    const r = variants('scenarios/work-stealing-burst.yaml');
    expect(r['gomaxprocs-4']!.gmp!.steals).to.be.greaterThan(1000);
    expect(r['gomaxprocs-4']!.latencyMs.p99).to.be.below(0.5 * r['no-stealing-help']!.latencyMs.p99);
  });

  it(
    'hpa-flapping: without a scale-down window the HPA reverses direction repeatedly; a 300 s window never ' + 'does',
    () => {
      const r = variants('scenarios/hpa-flapping.yaml');
      expect(r['no-window']!.hpa!.directionReversals).to.be.greaterThan(3);
      expect(r['window-300s']!.hpa!.directionReversals).to.equal(0);
    },
  );

  it('metrics-outage-spike: with metrics down during the spike the tail is far worse than when healthy', () => {
    const r = variants('scenarios/metrics-outage-spike.yaml');
    expect(r.outage!.latencyMs.p99).to.be.greaterThan(2 * r.healthy!.latencyMs.p99);
  });

  it('flash-crowd-autoscalers: the goroutine target holds more pods than the CPU target; KEDA rescales more', () => {
    const r = variants('scenarios/flash-crowd-autoscalers.yaml');
    expect(r['goroutines-hpa']!.cluster.podSeconds).to.be.greaterThan(r['cpu-hpa']!.cluster.podSeconds);
    expect(r.keda!.hpa!.rescales).to.be.greaterThan(r['cpu-hpa']!.hpa!.rescales);
  });
});

describe('curated scenarios: closed-loop users and targeted chaos (issue 18)', function () {
  this.timeout(300_000);

  it("closed-loop-users: Little's law holds in every variant; throughput saturates while latency rises", () => {
    const r = variants('scenarios/closed-loop-users.yaml');
    for (const [name, n] of [
      ['users-10', 10],
      ['users-50', 50],
      ['users-100', 100],
      ['users-200', 200],
    ] as const) {
      const s = r[name]!;
      const predicted = n / ((s.latencyMs.mean + 100) / 1000);
      expect(s.throughputPerS, name).to.be.closeTo(predicted, predicted * 0.03);
    }
    // Two Ps of 4 ms requests serve at most 500/s: doubling 100 → 200 users adds little throughput, much latency.
    expect(r['users-200']!.throughputPerS).to.be.lessThan(1.1 * r['users-100']!.throughputPerS);
    expect(r['users-200']!.throughputPerS).to.be.within(440, 500);
    expect(r['users-200']!.latencyMs.mean).to.be.greaterThan(2 * r['users-100']!.latencyMs.mean);
  });

  it(
    'one-slow-pod: one slow pod of 50 doubles the fleet p99 while the mean barely moves; the hypothesis fails ' +
      'only during',
    () => {
      const r = variants('scenarios/one-slow-pod.yaml');
      const slow = r['slow-pod']!;
      const healthy = r.healthy!;
      expect(slow.latencyMs.p99).to.be.greaterThan(1.8 * healthy.latencyMs.p99);
      expect(slow.latencyMs.mean).to.be.lessThan(1.15 * healthy.latencyMs.mean);
      expect(slow.chaos!.faults[0]!.pods).to.deep.equal([3]);
      const phases = slow.chaos!.steadyState!.checks.map((c) => `${c.phase}:${c.pass}`);
      expect(phases).to.deep.equal(['before:true', 'during:false', 'after:true']);
      expect(slow.chaos!.steadyState!.pass).to.equal(false);
      expect(healthy.chaos).to.equal(undefined);
    },
  );

  it(
    'retry-storm-one-slow-pod: with retries the fleet stays collapsed after the slow pod recovers; without, it ' +
      'recovers',
    () => {
      const file = 'scenarios/retry-storm-one-slow-pod.yaml';
      const { variants: vs } = compareScenarios(readFileSync(file, 'utf8'), file);
      const runs = Object.fromEntries(vs.map((v) => [v.name, runScenario(v.scenario, 1)]));
      // Completions per arrival over 70–100 s, 20 s after the neighbour left.
      const late = (name: string) => {
        const { columns, rows } = runs[name]!.series;
        const [t, a, c] = ['t_s', 'arrivals_per_s', 'completions_per_s'].map((n) => columns.indexOf(n));
        const after = rows.filter((r) => r[t!]! > 70);
        return after.reduce((x, r) => x + r[c!]!, 0) / after.reduce((x, r) => x + r[a!]!, 0);
      };
      expect(late('no-retries')).to.be.closeTo(1, 0.02);
      expect(late('retries')).to.be.lessThan(0.05);
      const s = runs.retries!.summary;
      expect(s.requests.wastedAttempts).to.be.greaterThan(s.requests.completed);
      const after = (name: string) => runs[name]!.summary.chaos!.steadyState!.checks.find((c) => c.phase === 'after')!;
      expect(after('retries').pass).to.equal(false);
      expect(runs.retries!.summary.chaos!.steadyState!.checks[0]!.pass).to.equal(true);
    },
  );

  it(
    'metrics-adapter-outage: the goroutine HPA freezes while the adapter is down; the CPU HPA (metrics-server) ' +
      'scales',
    () => {
      const { variants: vs } = compareScenarios(
        readFileSync('scenarios/metrics-adapter-outage.yaml', 'utf8'),
        'scenarios/metrics-adapter-outage.yaml',
      );
      const runs = Object.fromEntries(vs.map((v) => [v.name, runScenario(v.scenario, 1)]));
      const during = (name: string) => runs[name]!.hpaDecisions!.filter((d) => d.tS > 90 && d.tS < 175);
      // Adapter down: every sync during the outage fails to get metrics and keeps the replicas.
      expect(during('adapter-down').length).to.be.greaterThan(0);
      for (const d of during('adapter-down')) expect(d.desiredReplicas, `sync at ${d.tS}`).to.equal(d.currentReplicas);
      expect(during('cpu-hpa-adapter-down').some((d) => d.desiredReplicas > d.currentReplicas)).to.equal(true);
      expect(during('healthy').some((d) => d.desiredReplicas > d.currentReplicas)).to.equal(true);
      expect(runs['adapter-down']!.summary.latencyMs.p99).to.be.greaterThan(1.3 * runs.healthy!.summary.latencyMs.p99);
    },
  );
});
