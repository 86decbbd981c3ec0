import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tuneV8 } from '../src/cli/v8-tuning.js';
import { type EventHandler, Simulation } from '../src/engine/simulation.js';
import { parseScenario } from '../src/scenario/load.js';
import { Experiment } from '../src/sim/experiment.js';
import { BENCH_REQUEST } from './fleet-scenario.js';

// The CLI's V8 settings (src/cli/v8-tuning.ts), so the benchmark measures what `gmpsim run` runs.
tuneV8();

/**
 * Cluster benchmark (issue 5 target): one simulated hour of 20 pods × GOMAXPROCS 4 at 2,000 req/s
 * (≈ 7.2 M requests through the GMP model, with the metrics pipeline and an HPA syncing every 15 s)
 * in under 60 s of wall time on one core. Writes results/bench/cluster.json.
 * GMPSIM_BENCH_NODES=packed puts the 20 pods on 5 nodes of 4 cores (4 per node); =shared does the same
 * with cluster.nodeCpuSharing on (issue 17: at most 1.5× the time of packed).
 */
const nodesMode = process.env.GMPSIM_BENCH_NODES ?? 'none';
/** GMPSIM_BENCH_SIMULATED_S shortens the run for side-by-side checks on a busy machine (default: the hour). */
const simulatedS = Number(process.env.GMPSIM_BENCH_SIMULATED_S ?? 3600);
/**
 * GMPSIM_BENCH_KINDS=1 counts the events dispatched by kind and prints them per request (issue 24: which
 * events a request costs) instead of writing cluster.json: every handler is wrapped in a counting closure,
 * so that run's time is not the benchmark's.
 */
const countKinds = process.env.GMPSIM_BENCH_KINDS === '1';
const kindCounts = new Map<string, number>();
if (countKinds) {
  const register = Simulation.prototype.registerKind;
  Simulation.prototype.registerKind = function (this: Simulation, name: string, handler: EventHandler): number {
    if (!kindCounts.has(name)) kindCounts.set(name, 0);
    return register.call(this, name, (target, arg) => {
      kindCounts.set(name, kindCounts.get(name)! + 1);
      handler(target, arg);
    });
  };
}
if (!['none', 'packed', 'shared'].includes(nodesMode))
  throw new Error(`GMPSIM_BENCH_NODES: expected none, packed or shared, found ${nodesMode}`);
const nodes =
  nodesMode === 'none' ? {} : { nodes: { count: 5, allocatableCores: 4 }, nodeCpuSharing: nodesMode === 'shared' };
const s = parseScenario(
  JSON.stringify({
    name: 'bench-cluster-hour',
    durationS: simulatedS,
    workload: {
      arrival: { process: 'poisson', ratePerS: 2000 },
      request: BENCH_REQUEST,
    },
    runtime: { gomaxprocs: 4 },
    cluster: { replicas: 20, ...nodes },
    hpa: { minReplicas: 20, maxReplicas: 40 },
  }),
  'bench-cluster.json',
);
const t0 = process.hrtime.bigint();
const exp = new Experiment(s, 1);
const { summary } = exp.finish();
const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
const report = {
  date: new Date().toISOString(),
  node: process.version,
  simulatedS,
  pods: 20,
  nodes: nodesMode,
  gomaxprocs: 4,
  requests: summary.requests.completed,
  events: summary.engine.events,
  wallS: Math.round(wallS * 100) / 100,
  target: { wallS: 60, met: wallS < 60 },
};
if (countKinds) {
  const perRequest = [...kindCounts]
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => [kind, Math.round((n / summary.requests.completed) * 1000) / 1000]);
  const eventsPerRequest = Math.round((summary.engine.events / summary.requests.completed) * 1000) / 1000;
  process.stderr.write(
    `${JSON.stringify({ simulatedS, eventsPerRequest, byKind: Object.fromEntries(perRequest) }, null, 2)}\n`,
  );
  process.exit(0);
}
mkdirSync('results/bench', { recursive: true });
writeFileSync('results/bench/.cluster.json.tmp', `${JSON.stringify(report, null, 2)}\n`);
renameSync('results/bench/.cluster.json.tmp', 'results/bench/cluster.json');
process.stderr.write(`${JSON.stringify(report, null, 2)}\n`);
