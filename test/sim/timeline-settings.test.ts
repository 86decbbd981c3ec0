import { expect } from 'chai';
import { parseScenario } from '../../src/scenario/load.js';
import { Experiment, type RunResult, runScenario } from '../../src/sim/experiment.js';
import { problems } from '../support/problems.js';

const column = (r: RunResult, name: string) => {
  const i = r.series.columns.indexOf(name);
  return r.series.rows.map((row) => ({ t: row[0]!, v: row[i]! }));
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const gcScenario = (timeline: string) =>
  parseScenario(
    [
      'durationS: 20',
      'workload: {arrival: {process: poisson, ratePerS: 500}, request: {steps: [{cpu: {dist: exponential, ' +
        'meanMs: 1}}, {alloc: {dist: constant, valueKB: 256}}]}}',
      'runtime: {gomaxprocs: 2, gc: {baseLiveHeapMB: 20}}',
      `timeline: ${timeline}`,
      '',
    ].join('\n'),
    'gc.yaml',
  );

describe('timeline: settings changed during the run', () => {
  it(
    'GOGC 100 → 25 at 10 s (debug.SetGCPercent): the heap goal drops and cycles come ~3x as often from then ' + 'on',
    () => {
      const r = runScenario(gcScenario('[{type: runtime, atS: 10, gc: {gogc: 25}}]'), 1);
      const goal = column(r, 'heap_goal_mb');
      const cycles = column(r, 'gc_cycles_per_s');
      const meanBefore = (xs: { t: number; v: number }[]) =>
        mean(xs.filter((x) => x.t > 2 && x.t <= 10).map((x) => x.v));
      const meanAfter = (xs: { t: number; v: number }[]) => mean(xs.filter((x) => x.t > 11).map((x) => x.v));
      expect(meanAfter(goal)).to.be.below(0.75 * meanBefore(goal));
      expect(meanAfter(cycles)).to.be.greaterThan(2.5 * meanBefore(cycles));
    },
  );

  it('GOMEMLIMIT set at 10 s (debug.SetMemoryLimit) below the GOGC goal: the goal follows the limit', () => {
    const r = runScenario(gcScenario('[{type: runtime, atS: 10, gc: {memoryLimitMB: 40}}]'), 1);
    const goal = column(r, 'heap_goal_mb').filter((x) => x.t > 11);
    const plain = column(runScenario(gcScenario('[]'), 1), 'heap_goal_mb').filter((x) => x.t > 11);
    expect(Math.max(...goal.map((x) => x.v))).to.be.below(40);
    expect(mean(plain.map((x) => x.v))).to.be.greaterThan(mean(goal.map((x) => x.v)));
  });

  it('an HPA target edited at 60 s (80% → 20% CPU) scales the Deployment out from the next syncs', () => {
    const s = parseScenario(
      [
        'durationS: 180',
        'workload: {arrival: {process: poisson, ratePerS: 400}, request: {steps: [{cpu: {dist: exponential, ' +
          'meanMs: 1}}]}}',
        'runtime: {gomaxprocs: 1}',
        'cluster: {replicas: 2, pod: {cpuRequestCores: 1}}',
        'hpa: {minReplicas: 1, maxReplicas: 10, behavior: {scaleDown: {stabilizationWindowSeconds: 0}}}',
        'timeline:',
        '  - {type: hpa, atS: 60, metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, ' +
          'averageUtilization: 20}}}]}',
        '',
      ].join('\n'),
      'hpa-edit.yaml',
    );
    const d = runScenario(s, 1).hpaDecisions!;
    const before = d.filter((x) => x.tS < 60 && x.tS > 30).map((x) => x.desiredReplicas);
    const after = d.filter((x) => x.tS > 120).map((x) => x.desiredReplicas);
    expect(Math.max(...before)).to.be.at.most(2);
    expect(Math.min(...after)).to.be.at.least(2 * Math.max(...before));
  });

  it('an edit to a metric the pipeline keeps only on demand (the ingress p99) is served from the start', () => {
    const s = parseScenario(
      [
        'durationS: 120',
        'workload: {arrival: {process: poisson, ratePerS: 400}, request: {steps: [{cpu: {dist: exponential, ' +
          'meanMs: 1}}]}}',
        'runtime: {gomaxprocs: 1}',
        'cluster: {replicas: 2}',
        'hpa: {minReplicas: 1, maxReplicas: 10}',
        'timeline:',
        '  - {type: hpa, atS: 30, metrics: [{type: External, external: {metric: {name: ingress_latency_p99_ms}, ' +
          'target: {type: Value, value: "0.5"}}}]}',
        '',
      ].join('\n'),
      'hpa-external.yaml',
    );
    const d = runScenario(s, 1).hpaDecisions!.filter((x) => x.tS > 45);
    for (const x of d) expect(x.proposals, `${x.tS} s`).to.not.match(/no metrics|unable/);
    expect(Math.max(...d.map((x) => x.desiredReplicas))).to.be.greaterThan(2);
  });

  it('containers started after a runtime event get the new GOMAXPROCS', () => {
    const s = parseScenario(
      [
        'durationS: 30',
        'workload: {arrival: {process: poisson, ratePerS: 100}, request: {steps: [{cpu: {dist: exponential, ' +
          'meanMs: 1}}]}}',
        'runtime: {gomaxprocs: 1}',
        'cluster: {replicas: 1}',
        'timeline: [{type: runtime, atS: 5, gomaxprocs: 3}, {type: scale, atS: 6, replicas: 2}]',
        '',
      ].join('\n'),
      'procs.yaml',
    );
    const exp = new Experiment(s, 1);
    exp.finish();
    const pods = exp.fleet.deployment.pods;
    expect(pods.map((p) => p.runtime.gomaxprocs)).to.deep.equal([1, 3]);
    expect(exp.fleet.gomaxprocs).to.equal(1); // the run's reported setting is the scenario's
  });

  it('bad input: a timeline metric with a target type Kubernetes refuses, an hpa edit without an hpa', () => {
    const p = problems(
      'durationS: 10\nhpa: {maxReplicas: 3}\ntimeline: [{type: hpa, atS: 1, metrics: [{type: Pods, pods: ' +
        '{metric: {name: go_goroutines}, target: {type: Utilization, averageUtilization: 50}}}]}]\n',
    ).join('\n');
    expect(p).to.match(
      /timeline\[0\]\.metrics\[0\]\.pods\.target\.type.*expected a target type Kubernetes accepts for Pods metrics/,
    );
    const q = problems('durationS: 10\ntimeline: [{type: runtime, atS: 1, gc: {gogc: -5}}]\n').join('\n');
    expect(q).to.match(/timeline\[0\]\.gc\.gogc/);
  });
});
