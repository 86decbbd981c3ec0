import { parseScenario } from '../src/scenario/load.js';
import type { Scenario } from '../src/scenario/schema.js';

/**
 * The request of the cluster and fleet benchmarks (bench/cluster.ts, below): 1 ms of CPU, a network wait
 * of 2 ms, 0.5 ms of CPU, each exponential — one service for both, so their figures compare.
 */
export const BENCH_REQUEST = {
  steps: [
    { cpu: { dist: 'exponential', meanMs: 1 } },
    { netpoll: { dist: 'exponential', meanMs: 2 } },
    { cpu: { dist: 'exponential', meanMs: 0.5 } },
  ],
};

/**
 * The fleet benchmark's scenario (issue 24 item 2): `pods` pods × GOMAXPROCS 4 at 100 req/s each with an
 * HPA and the metrics pipeline, for `simulatedS` simulated seconds. One home for bench/fleet.ts and the
 * replay harness (bench/host-replay.ts), so both measure the same run.
 */
export function fleetScenario(simulatedS: number, pods: number): Scenario {
  return parseScenario(
    JSON.stringify({
      name: 'bench-fleet-hour',
      durationS: simulatedS,
      warmupS: Math.min(60, simulatedS / 10),
      workload: {
        arrival: { process: 'poisson', ratePerS: 100 * pods },
        request: BENCH_REQUEST,
      },
      runtime: { gomaxprocs: 4 },
      cluster: { replicas: pods },
      hpa: { minReplicas: pods, maxReplicas: 2 * pods },
    }),
    'bench-fleet.json',
  );
}
