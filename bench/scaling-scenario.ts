import { parseScenario } from '../src/scenario/load.js';

/** A point of the scaling curves (bench/scaling.ts), also measured under cachegrind (bench/scaling-cache.ts). */
export interface Point {
  pods: number;
  ratePerS: number;
  durationS: number;
  goroutinesPerRequest: number;
}

/** The scenario of a point: the cluster benchmark's request, children as extra goroutines. */
export function scalingScenario(p: Point) {
  const children = p.goroutinesPerRequest - 1;
  const work = [
    { cpu: { dist: 'exponential', meanMs: 0.5 } },
    { netpoll: { dist: 'exponential', meanMs: 2 } },
    { cpu: { dist: 'exponential', meanMs: 0.25 } },
  ];
  return parseScenario(
    JSON.stringify({
      name: 'bench-scaling',
      durationS: p.durationS,
      warmupS: 0,
      workload: {
        arrival: { process: 'poisson', ratePerS: p.ratePerS },
        request: {
          steps:
            children > 0
              ? [...work, { spawn: { count: children, steps: [{ cpu: { dist: 'exponential', meanMs: 0.05 } }] } }]
              : work,
        },
      },
      runtime: { gomaxprocs: 2 },
      cluster: { replicas: p.pods },
      hpa: { minReplicas: p.pods, maxReplicas: 2 * p.pods },
    }),
    'bench-scaling.json',
  );
}
