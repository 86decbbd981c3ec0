import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { parseScenario } from '../src/scenario/load.js';
import { Experiment } from '../src/sim/experiment.js';

/**
 * Issue 18's speed target: a request with one `call` (through a pool to a dependency) costs at most 1.5×
 * a request with one `netpoll` step of the same latency. Both runs: one pod, 20,000 req/s, 0.02 ms CPU then
 * a 5 ms wait; the call's pool keeps enough idle connections that steady state never dials (what a warm
 * service does). Wall time per request over the measured window, best of 3, the two alternating.
 * Writes results/bench/service.json.
 */
const RATE = 20_000;
const DURATION_S = 4;

function scenario(wait: Record<string, unknown>, extra: Record<string, unknown>) {
  return parseScenario(
    JSON.stringify({
      durationS: DURATION_S,
      metrics: { sampleIntervalMs: 1000 },
      workload: {
        arrival: { process: 'poisson', ratePerS: RATE },
        request: { steps: [{ cpu: { dist: 'exponential', meanMs: 0.02 } }, wait] },
      },
      runtime: { gomaxprocs: 4 },
      ...extra,
    }),
    'bench-service.json',
  );
}

const netpoll = () => scenario({ netpoll: { dist: 'constant', valueMs: 5 } }, {});
const call = () =>
  scenario(
    { call: { dependency: 'db' } },
    {
      dependencies: {
        db: {
          latency: { dist: 'constant', valueMs: 5 },
          pool: {
            style: 'database/sql',
            maxOpenConns: 0,
            maxIdleConns: 1000,
            connectMs: { dist: 'constant', valueMs: 1 },
          },
        },
      },
    },
  );

/** Wall ns per request arriving in [1 s, end): the first second fills the pool and the JIT. */
function nsPerRequest(make: () => ReturnType<typeof netpoll>): { nsPerRequest: number; events: number } {
  const exp = new Experiment(make(), 1);
  exp.advanceTo(1e9);
  const e0 = exp.sim.eventsProcessed;
  const t0 = process.hrtime.bigint();
  exp.advanceTo(DURATION_S * 1e9);
  const ns = Number(process.hrtime.bigint() - t0);
  return { nsPerRequest: Math.round(ns / (RATE * (DURATION_S - 1))), events: exp.sim.eventsProcessed - e0 };
}

const runs: { netpoll: number; call: number }[] = [];
for (let i = 0; i < 3; i++)
  runs.push({ netpoll: nsPerRequest(netpoll).nsPerRequest, call: nsPerRequest(call).nsPerRequest });
const best = { netpoll: Math.min(...runs.map((r) => r.netpoll)), call: Math.min(...runs.map((r) => r.call)) };
const ratio = best.call / best.netpoll;
const report = {
  date: new Date().toISOString(),
  node: process.version,
  nsPerRequest: best,
  runs,
  ratio,
  target: { ratioAtMost: 1.5, met: ratio <= 1.5 },
};
mkdirSync('results/bench', { recursive: true });
writeFileSync('results/bench/.service.json.tmp', `${JSON.stringify(report, null, 2)}\n`);
renameSync('results/bench/.service.json.tmp', 'results/bench/service.json');
process.stderr.write(`${JSON.stringify(report, null, 2)}\n`);
