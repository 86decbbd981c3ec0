import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { compareScenarios } from '../../src/scenario/variants.js';
import { runScenario, type RunResult } from '../../src/sim/experiment.js';

/** Run each variant of a curated compare scenario once (seed 1). */
function variants(file: string): Record<string, RunResult> {
  const { variants: vs } = compareScenarios(readFileSync(file, 'utf8'), file);
  return Object.fromEntries(vs.map((v) => [v.name, runScenario(v.scenario, 1)]));
}

const column = (r: RunResult, name: string) => {
  const i = r.series.columns.indexOf(name);
  return r.series.rows.map((row) => ({ t: row[0]!, v: row[i]! }));
};

describe('curated scenarios: pod lifecycle (issue 17)', () => {
  it('liveness-cascade: a 1 s liveness timeout restarts pods into an outage that outlasts the crowd; a lenient one does not', () => {
    const r = variants('scenarios/liveness-cascade.yaml');
    const strict = r['strict-liveness']!;
    const lenient = r['lenient-liveness']!;
    expect(strict.summary.cluster.probes!.livenessRestarts).to.be.greaterThan(5);
    expect(lenient.summary.cluster.probes!.livenessRestarts).to.equal(0);
    expect(strict.summary.cluster.killed).to.be.greaterThan(10 * lenient.summary.cluster.killed + 1000);
    // After the crowd (150 s) the strict Deployment keeps losing pods: some sample has no Ready pod.
    const after = (res: RunResult) => column(res, 'replicas_ready').filter((x) => x.t > 200);
    expect(Math.min(...after(strict).map((x) => x.v))).to.equal(0);
    expect(Math.min(...after(lenient).map((x) => x.v))).to.equal(4);
    // The restarts are visible per pod.
    const phase = strict.podSeries.columns.indexOf('phase');
    const phases = new Set(strict.podSeries.rows.map((row) => row[phase]));
    expect([...phases]).to.include.members(['Ready', 'Initializing']);
  });
});
