import { expect } from 'chai';
import * as gmpsim from '../src/index.js';

describe('package root', () => {
  it('exports the HPA calculators and control loop, typed, beside the simulator', () => {
    for (const f of [
      'getResourceReplicas',
      'calcPlainMetricReplicas',
      'getObjectMetricReplicas',
      'getExternalPerPodMetricReplicas',
      'reconcileReplicas',
      'computeReplicasForMetrics',
      'runScenario',
      'parseScenario',
      'GcPacer',
    ]) {
      expect(typeof (gmpsim as Record<string, unknown>)[f], f).to.equal('function');
    }
    // Typed use: one HPA sync's pure calculation, as replica_calculator.go does it.
    const pods: gmpsim.HpaPod[] = [
      {
        name: 'a',
        phase: 'Running',
        ready: { status: 'True', lastTransitionTimeS: 0 },
        startTimeS: 0,
        requestMilli: 1000,
      },
    ];
    const r = gmpsim.getResourceReplicas({
      currentReplicas: 1,
      pods,
      metrics: new Map([['a', { value: 1500, timestampS: 100, windowS: 15 }]]),
      tolerances: { scaleUp: 0.1, scaleDown: 0.1 },
      nowS: 100,
      targetUtilization: 50,
      resource: 'cpu',
    });
    expect(r.replicas).to.equal(3);
  });
});
