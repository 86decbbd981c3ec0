import { expect } from 'chai';
import { parseScenario } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';

/** One pod, GOMAXPROCS 1, 2 ms requests at 440 req/s (88% busy), callers with a 25 ms timeout. */
function overloaded(retries: number) {
  return runScenario(
    parseScenario(
      JSON.stringify({
        durationS: 60,
        workload: {
          arrival: { process: 'poisson', ratePerS: 440 },
          request: { steps: [{ cpu: { dist: 'exponential', meanMs: 2 } }] },
          client: { timeoutMs: 25, retries, backoffMs: 10 },
        },
        runtime: { gomaxprocs: 1 },
      }),
      'storm.json',
    ),
    5,
  ).summary;
}

describe('callers: timeouts and retries', () => {
  it('every failed attempt is either retried or a final failure; timed-out attempts still run (wasted work)', () => {
    const s = overloaded(2);
    expect(s.requests.timeouts).to.be.greaterThan(0);
    expect(s.requests.timeouts + s.cluster.rejected + s.cluster.killed).to.equal(
      s.requests.retries + s.requests.failed,
    );
    expect(s.requests.wastedAttempts).to.be.greaterThan(0);
    expect(s.requests.wastedAttempts).to.be.at.most(s.requests.timeouts);
  });

  it('without a timeout nothing times out, retries, fails or is wasted', () => {
    const s = runScenario(
      parseScenario(
        'durationS: 20\nworkload: {arrival: {process: poisson, ratePerS: 300}, request: {steps: [{cpu: {dist: ' +
          'exponential, meanMs: 2}}]}}\nruntime: {gomaxprocs: 1}\n',
        'plain.yaml',
      ),
      5,
    ).summary;
    expect([s.requests.timeouts, s.requests.retries, s.requests.failed, s.requests.wastedAttempts]).to.deep.equal([
      0, 0, 0, 0,
    ]);
  });

  it(
    'a retry storm: retries add load when the service is slow, so the server does more work for the same ' + 'callers',
    () => {
      const none = overloaded(0);
      const storm = overloaded(3);
      // Same callers (same seed, same arrivals); the retried run pushes more attempts through the pod.
      expect(storm.requests.arrived).to.equal(none.requests.arrived);
      expect(storm.utilization).to.be.greaterThan(none.utilization);
      expect(storm.requests.retries).to.be.greaterThan(0);
      expect(storm.requests.wastedAttempts).to.be.greaterThan(none.requests.wastedAttempts);
    },
  );
});
