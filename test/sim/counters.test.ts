import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { compareScenarios } from '../../src/scenario/variants.js';
import { runScenario } from '../../src/sim/experiment.js';

describe('timeseries counters across an OOM restart', () => {
  it('gomemlimit-vs-oom gogc-only: the pod is OOM-killed and restarted, and no *_per_s rate goes negative', () => {
    const file = 'scenarios/gomemlimit-vs-oom.yaml';
    const v = compareScenarios(readFileSync(file, 'utf8'), file).variants.find((x) => x.name === 'gogc-only')!;
    const r = runScenario(v.scenario, 1);
    expect(r.summary.cluster.oomKills).to.be.greaterThan(0);
    const cols = r.series.columns;
    const rates = cols.map((c, i) => [c, i] as const).filter(([c]) => c.endsWith('_per_s') && c !== 'arrivals_per_s');
    expect(rates.map(([c]) => c)).to.include('gc_cpu_ms_per_s');
    let gcCpuSeen = 0;
    for (const row of r.series.rows) {
      for (const [c, i] of rates) expect(row[i]!, `${c} at t=${row[0]} s`).to.be.at.least(0);
      gcCpuSeen = Math.max(gcCpuSeen, row[cols.indexOf('gc_cpu_ms_per_s')]!);
    }
    expect(gcCpuSeen).to.be.greaterThan(0);
  });
});
