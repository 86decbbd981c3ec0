import { expect } from 'chai';
import { runFiles } from '../../src/report/run-files.js';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';

/**
 * A sysmon cost (`costs`) on pods on engines of their own (issue 24's windows) gives the single engine's files,
 * and is not inert: without it the same seed gives other results. Four pods at 600 req/s, each request 1 ms of
 * CPU and a 5 ms blocking syscall (the syscall trap's request, issue 26); `runtime` adds to GOMAXPROCS 2.
 */
export function expectWindowedAsSingleEngine(costs: Record<string, unknown>, runtime: Record<string, unknown> = {}) {
  const fleet = (c: object) =>
    parseScenario(
      JSON.stringify({
        durationS: 4,
        warmupS: 0.5,
        workload: {
          arrival: { process: 'poisson', ratePerS: 600 },
          request: {
            steps: [{ cpu: { dist: 'exponential', meanMs: 1 } }, { syscall: { dist: 'constant', valueMs: 5 } }],
          },
        },
        runtime: { gomaxprocs: 2, ...runtime, costs: c },
        cluster: { replicas: 4 },
        hpa: { minReplicas: 4, maxReplicas: 8 },
      }),
      'fleet.json',
    );
  const s = fleet(costs);
  const single = runFiles(s, 1, runScenario(s, 1, { singleEngine: true }));
  const windowed = runScenario(s, 1);
  expect(windowed.summary.parallel?.windowed ?? true).to.equal(true);
  expect(runFiles(s, 1, windowed)).to.deep.equal(single);
  const without = fleet({});
  expect(runFiles(without, 1, runScenario(without, 1, { singleEngine: true }))).to.not.deep.equal(single);
}
