import { expect } from 'chai';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';

describe('NUMA: remote penalty and steal order', () => {
  // Bursts on one P: each request spawns 16 short children, which idle Ps steal — across nodes too.
  const run = (numa: object) =>
    runScenario(
      parseScenario(
        JSON.stringify({
          durationS: 10,
          workload: {
            arrival: { process: 'poisson', ratePerS: 300 },
            request: { steps: [{ spawn: { count: 16, steps: [{ cpu: { dist: 'exponential', meanMs: 0.3 } }] } }] },
          },
          runtime: { gomaxprocs: 8, numa },
        }),
        'numa.json',
      ),
      1,
    ).summary;

  it(
    "a 2-node pod with Go's random steal order steals across nodes; the NUMA-aware order (own node first) " +
      'steals across far less',
    () => {
      const random = run({ nodes: 2 });
      const aware = run({ nodes: 2, stealOrder: 'numa-aware' });
      expect(random.gmp!.numa!.crossNodeSteals).to.be.greaterThan(1000);
      expect(aware.gmp!.numa!.crossNodeSteals).to.be.below(0.6 * random.gmp!.numa!.crossNodeSteals);
      expect(aware.gmp!.steals).to.be.greaterThan(0.9 * random.gmp!.steals); // it still balances the load
    },
  );

  it('children stolen by the other node run remotely: the remote factor costs CPU and latency', () => {
    const penalised = run({ nodes: 2, remoteFactor: 1.5 });
    const free = run({ nodes: 2, remoteFactor: 1, migrationUs: 0 });
    expect(penalised.gmp!.numa!.remoteWorkFraction).to.be.within(0.2, 0.8);
    expect(penalised.utilization).to.be.greaterThan(1.1 * free.utilization);
    expect(penalised.latencyMs.p50).to.be.greaterThan(1.1 * free.latencyMs.p50);
  });

  it('one node (the default) has no NUMA block and no penalty', () => {
    const r = run({});
    expect(r.gmp!.numa).to.equal(undefined);
  });
});
