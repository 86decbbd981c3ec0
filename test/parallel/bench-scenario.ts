import { parseScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/schema.js';

/** The bench scenarios' request: 1 ms of CPU, a 2 ms network wait, 0.5 ms of CPU (exponential). */
export const REQUEST = {
  steps: [
    { cpu: { dist: 'exponential', meanMs: 1 } },
    { netpoll: { dist: 'exponential', meanMs: 2 } },
    { cpu: { dist: 'exponential', meanMs: 0.5 } },
  ],
};

/** bench/fleet.ts's and bench/cluster.ts's scenario (100 pods × 4 P at 10 k req/s; 20 pods at 2 k), shortened. */
export function benchScenario(pods: number, durationS: number, extra: Record<string, unknown> = {}): Scenario {
  return parseScenario(
    JSON.stringify({
      name: `bench-${pods}`,
      durationS,
      warmupS: durationS / 10,
      workload: { arrival: { process: 'poisson', ratePerS: 100 * pods }, request: REQUEST },
      runtime: { gomaxprocs: 4 },
      cluster: { replicas: pods },
      hpa: { minReplicas: pods, maxReplicas: 2 * pods },
      ...extra,
    }),
    'bench.json',
  );
}
