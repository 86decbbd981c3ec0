import { runFiles } from '../../src/report/run-files.js';
import { parseScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/schema.js';
import { type ExperimentOptions, runScenario } from '../../src/sim/experiment.js';

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

/**
 * Pods made, drained and killed at barriers (kubectl scale to 9, 3 and 7 at 5, 20 and 30 s; live GOGC 50 at
 * 10 s) over benchScenario(6, 40), with `live` timeline events added: windows with a pod draining. Each request
 * is 0.8 s in flight, over the 0.5 s grace period, so a pod scaled down is killed with requests in it.
 */
export function scaledScenario(live: Record<string, unknown>[] = []): Scenario {
  return benchScenario(6, 40, {
    workload: {
      arrival: { process: 'poisson', ratePerS: 600 },
      request: {
        steps: [{ cpu: { dist: 'exponential', meanMs: 1 } }, { netpoll: { dist: 'constant', valueMs: 800 } }],
      },
    },
    hpa: undefined,
    cluster: { replicas: 6, pod: { terminationGracePeriodS: 0.5, startupS: 1, readinessDelayS: 1 } },
    timeline: [
      { type: 'scale', atS: 5, replicas: 9 },
      { type: 'runtime', atS: 10, gc: { gogc: 50 } },
      ...live,
      { type: 'scale', atS: 20, replicas: 3 },
      { type: 'scale', atS: 30, replicas: 7 },
    ],
  });
}

/** Over benchScenario(3, 10): pods that hit a 45-thread limit at 0.5 s (a Go fatal error in a windowed run). */
export const FATAL = {
  workload: {
    arrival: { process: 'poisson', ratePerS: 1200 },
    request: {
      steps: [
        { cpu: { dist: 'exponential', meanMs: 0.2 } },
        { syscall: { dist: 'constant', valueMs: 30 } },
        { cpu: { dist: 'exponential', meanMs: 0.1 } },
      ],
    },
  },
  runtime: { gomaxprocs: 2, maxThreads: 45 },
  cluster: { replicas: 3, loadBalancer: 'random' },
  hpa: undefined,
};

/** Every output file of a run, as gmpsim run writes them (summary.parallel only when threads are asked for). */
export function files(s: Scenario, options: ExperimentOptions): Record<string, string> {
  return runFiles(s, 1, runScenario(s, 1, options));
}
