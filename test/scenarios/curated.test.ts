import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
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

  it('gomaxprocs-above-cpu-limit: Go 1.19 (8 Ps on 1 core) is throttled and slower at p99 than GOMAXPROCS 1; Go 1.25 picks 2 Ps', () => {
    const r = variants('scenarios/gomaxprocs-above-cpu-limit.yaml');
    expect(r['go1.19-default']!.gomaxprocs).to.equal(8);
    expect(r['go1.25-default']!.gomaxprocs).to.equal(2);
    expect(r['go1.19-default']!.gmp!.cpuThrottling!.throttledPeriods).to.be.greaterThan(0);
    expect(r['gomaxprocs-1']!.gmp!.cpuThrottling!.throttledPeriods).to.equal(0);
    expect(r['go1.19-default']!.latencyMs.p99).to.be.greaterThan(r['gomaxprocs-1']!.latencyMs.p99);
  });

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

  it('hpa-flapping: without a scale-down window the HPA reverses direction repeatedly; a 300 s window never does', () => {
    const r = variants('scenarios/hpa-flapping.yaml');
    expect(r['no-window']!.hpa!.directionReversals).to.be.greaterThan(3);
    expect(r['window-300s']!.hpa!.directionReversals).to.equal(0);
  });

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
