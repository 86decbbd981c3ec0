import { Deployment } from '../../src/cluster/deployment.js';
import { RandomStreams } from '../../src/engine/random.js';
import { Simulation } from '../../src/engine/simulation.js';
import type { PodRuntime } from '../../src/runtime/pod-runtime.js';
import { type Cluster, ClusterSchema } from '../../src/scenario/cluster-schema.js';

/** A pod runtime that does nothing: start-up, rollouts and nodes are the cluster's business. */
export const idlePod = (): PodRuntime => ({
  gomaxprocs: 1,
  accept: () => {},
  runnable: () => 0,
  running: () => 0,
  busyIntegralNs: () => 0,
  goroutines: () => 0,
});

/** A Deployment of idle pods on its own Simulation, from a `cluster` block as a scenario writes it. */
export function idleDeployment(cluster: object): { sim: Simulation; dep: Deployment; cfg: Cluster } {
  const sim = new Simulation();
  const cfg = ClusterSchema.parse(cluster);
  const rng = new RandomStreams(1);
  const dep = new Deployment(
    sim,
    cfg,
    idlePod,
    { complete: () => {}, lost: () => {} },
    rng.stream('lb'),
    rng.stream('uid'),
  );
  return { sim, dep, cfg };
}
