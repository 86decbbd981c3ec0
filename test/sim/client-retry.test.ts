import { expect } from 'chai';
import { scenarioFromData } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';

/**
 * The callers' retry policy (workload.client: retryOn, jitter, maxBackoffMs, src/sim/client.ts): which
 * answers are retried, retries as new attempts that pay every cost and are counted as offered load, the
 * backoff's jitter keyed by (request, attempt), for open-loop and closed-loop callers.
 */
const run = (client: Record<string, unknown>, over: Record<string, unknown> = {}, seed = 1) =>
  runScenario(
    scenarioFromData(
      {
        durationS: 20,
        runtime: { gomaxprocs: 2 },
        workload: {
          arrival: { process: 'poisson', ratePerS: 200 },
          request: { steps: [{ cpu: { dist: 'constant', valueMs: 0.1 } }, { call: { dependency: 'db' } }] },
          client,
        },
        dependencies: { db: { latency: { dist: 'constant', valueMs: 5 }, errorRate: 0.2 } },
        ...over,
      },
      'case.yaml',
    ),
    seed,
  );

describe('client retry policy (workload.client.retryOn, jitter, maxBackoffMs)', () => {
  it('absent: a 500 is not retried (as before: only timeouts, refusals and lost attempts are)', () => {
    const s = run({ retries: 2, backoffMs: 10 }).summary;
    expect(s.requests.retries).to.equal(0);
    expect(s.requests.offered).to.equal(undefined); // no new fields without the policy
    expect(s.service!.requestsFailed / s.requests.arrivedAfterWarmup).to.be.closeTo(0.2, 0.03);
  });

  it(
    'retryOn [error]: a 500 is retried; each retry is a new attempt that makes its own call; offered counts ' + 'it',
    () => {
      const r = run({ retries: 2, backoffMs: 10, retryOn: ['error'] });
      const s = r.summary;
      // Retries: 0.2 + 0.04 per request; failures for good: 0.2³.
      expect(s.requests.retries / s.requests.arrived).to.be.closeTo(0.24, 0.03);
      expect(s.service!.requestsFailed / s.requests.arrivedAfterWarmup).to.be.closeTo(0.008, 0.006);
      // Retries scheduled but not yet sent at the end are not offered yet.
      expect(s.requests.offered).to.be.closeTo(s.requests.arrived + s.requests.retries, 5);
      // Every attempt reached a pod and paid its call (a few may still be in flight at the end).
      expect(s.service!.dependencies.db!.calls).to.be.closeTo(s.requests.offered!, 5);
      const cols = r.series.columns;
      const sum = (name: string) => r.series.rows.reduce((a, row) => a + (row[cols.indexOf(name)] as number), 0);
      expect(sum('offered_per_s')).to.be.closeTo(s.requests.offered!, 1e-6);
      expect(sum('offered_per_s') / sum('arrivals_per_s')).to.be.closeTo(1.24, 0.03);
    },
  );

  it('retryOn [shed]: a 503 from the limiter is retried after the backoff (a retry that can find room)', () => {
    const over = {
      service: { limiter: { type: 'fixed', limit: 1 } },
      dependencies: { db: { latency: { dist: 'constant', valueMs: 5 } } },
    };
    const once = run({ retries: 3, backoffMs: 20 }, over).summary;
    const retried = run({ retries: 3, backoffMs: 20, retryOn: ['shed'] }, over).summary;
    expect(once.requests.retries).to.equal(0);
    expect(retried.requests.retries).to.be.greaterThan(100);
    // Fewer requests end shed, though the retries add load to the same limiter.
    expect(retried.service!.requestsShed).to.be.below(once.service!.requestsShed * 0.8);
  });

  it(
    'jitter: full draws the wait in [0, b], equal in [b/2, b]; keyed by (request, attempt): the same run ' + 'twice',
    () => {
      const lat = (jitter: string) => {
        const s = run({ retries: 1, backoffMs: 100, retryOn: ['error'], jitter }, {}, 3).summary;
        return s;
      };
      const none = lat('none');
      const full = lat('full');
      const equal = lat('equal');
      // Requests whose first attempt failed and second succeeded take 5 + backoff + 5 ms: p99 sits there.
      expect(none.latencyMs.p99).to.be.within(109, 112);
      expect(full.latencyMs.p99).to.be.within(90, 112);
      expect(equal.latencyMs.p99).to.be.within(100, 112);
      expect(full.latencyMs.p95).to.be.below(none.latencyMs.p95);
      expect(JSON.stringify(lat('full'))).to.equal(JSON.stringify(full));
    },
  );

  it('maxBackoffMs caps the exponential backoff', () => {
    const capped = run({ retries: 3, backoffMs: 100, retryOn: ['error'], maxBackoffMs: 30 }).summary;
    const uncapped = run({ retries: 3, backoffMs: 100, retryOn: ['error'] }).summary;
    // Four 5 ms attempts and three waits: 30 ms each with the cap, 100 + 200 + 400 ms without.
    expect(capped.latencyMs.max).to.be.below(4 * 5 + 3 * 30 + 5);
    expect(uncapped.latencyMs.max).to.be.above(700);
  });

  it('closed loop: a VU whose request is answered with an error goes on (it used to stay busy for good)', () => {
    const over = (client: Record<string, unknown>) => ({
      workload: {
        arrival: { process: 'constant-vus', vus: 5 },
        request: { steps: [{ cpu: { dist: 'constant', valueMs: 0.1 } }, { call: { dependency: 'db' } }] },
        client,
      },
      dependencies: { db: { latency: { dist: 'constant', valueMs: 5 }, errorRate: 0.5 } },
    });
    const s = run({}, over({})).summary;
    // 5 users × 20 s / ~5 ms per iteration ≈ 20,000 iterations; a stuck VU would stop after a few.
    expect(s.requests.arrived).to.be.greaterThan(10_000);
    const r = run({}, over({ retries: 2, backoffMs: 1, retryOn: ['error'] })).summary;
    expect(r.requests.retries).to.be.greaterThan(1000);
    expect(r.requests.offered).to.be.closeTo(r.requests.arrived + r.requests.retries, 5);
  });
});
