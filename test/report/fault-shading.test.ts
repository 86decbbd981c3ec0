import { expect } from 'chai';
import { runCharts } from '../../src/report/html/charts.js';

describe('report: the spans with faults active are shaded (faults_active)', () => {
  const row = (t: number, active: number) => ({ t_s: t, arrivals_per_s: 1, completions_per_s: 1, latency_p50_ms: 1, latency_p99_ms: 2, faults_active: active });

  it('from each sample with a fault active to the next, on the load and latency charts', () => {
    const charts = runCharts([row(1, 0), row(2, 1), row(3, 1), row(4, 0)], undefined);
    for (const id of ['load', 'latency']) {
      const layers = (charts.find((c) => c.id === id)!.spec.layer as { mark: { type: string } | string; data?: { values: unknown[] } }[]);
      const rect = layers.find((l) => typeof l.mark === 'object' && l.mark.type === 'rect');
      expect(rect?.data?.values, id).to.deep.equal([{ from: 2, to: 3, faults: 1 }, { from: 3, to: 4, faults: 1 }]);
    }
  });

  it('no faults_active column, no shading', () => {
    const charts = runCharts([{ t_s: 1, latency_p99_ms: 2 }], undefined);
    expect((charts.find((c) => c.id === 'latency')!.spec.layer as unknown[]).length).to.equal(1);
  });
});
