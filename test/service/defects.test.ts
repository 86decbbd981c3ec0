import { expect } from 'chai';
import { scenarioFromData } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';

/** Issue 18's defects, each pinned: a breaker's refusal and the retry loop; a probe the limiter sheds. */
const scenario = (over: Record<string, unknown>, call: Record<string, unknown> = {}) =>
  scenarioFromData(
    {
      durationS: 30,
      runtime: { gomaxprocs: 2 },
      workload: {
        arrival: { process: 'poisson', ratePerS: 100 },
        request: { steps: [{ cpu: { dist: 'constant', valueMs: 0.1 } }, { call: { dependency: 'db', ...call } }] },
      },
      dependencies: {
        db: {
          latency: { dist: 'constant', valueMs: 10 },
          breaker: { consecutiveFailures: 5, timeoutS: 1, maxRequests: 1 },
        },
      },
      ...over,
    },
    'case.yaml',
  );

const outage = {
  faults: [{ type: 'dependency-outage', atS: 10, durationS: 5, target: { kind: 'dependency', name: 'db' } }],
};

describe('service defects (issue 18)', () => {
  it("an open breaker's refusal is retried like any error (cenkalti/backoff, resilience4j): backoff, no call", () => {
    const once = runScenario(scenario(outage)).summary.service!;
    const retried = runScenario(scenario(outage, { retries: 2, backoffMs: 1500, maxBackoffMs: 1500, jitter: 'none' }))
      .summary.service!;
    expect(once.calls.breakerRejected).to.be.greaterThan(100);
    expect(retried.calls.breakerRejected).to.be.greaterThan(100);
    // Every refusal but those on a last attempt (or cut by the request's end) became a retry.
    expect(retried.calls.retries).to.be.greaterThan(retried.calls.breakerRejected / 2);
    // A refusal makes no call: the dependency sees attempts, not refusals.
    expect(retried.dependencies.db!.calls).to.equal(retried.calls.attempts);
    // After the outage, refused requests retry 1.5 s later, past the breaker's 1 s open state: far fewer fail.
    expect(retried.requestsFailed).to.be.below(once.requestsFailed * 0.8);
    // A failed request waited out its backoffs (1.5 s each) rather than failing at the refusal.
    expect(retried.failedLatencyMs.p50).to.be.at.least(1500);
    expect(once.failedLatencyMs.p50).to.be.below(5);
  });

  it(
    'a kubelet probe shed by the limiter (503) is a probe Failure (pkg/probe/http DoHTTPProbe: [200, 400) ' + 'only)',
    () => {
      const probe = { periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 1 };
      const s = (limit: number) =>
        runScenario(
          scenario({
            workload: {
              arrival: { process: 'poisson', ratePerS: 400 },
              request: { steps: [{ cpu: { dist: 'constant', valueMs: 0.1 } }, { call: { dependency: 'db' } }] },
            },
            dependencies: { db: { latency: { dist: 'constant', valueMs: 10 } } },
            service: { limiter: { type: 'fixed', limit } },
            cluster: { replicas: 1, pod: { readinessProbe: probe } },
          }),
        ).summary;
      const shedding = s(2);
      const roomy = s(1000);
      expect(shedding.service!.requestsShed).to.be.greaterThan(1000);
      expect(shedding.cluster.probes!.failures).to.be.greaterThan(5);
      expect(shedding.cluster.rejected).to.be.greaterThan(0); // readiness lost: no Ready pod, requests refused
      expect(roomy.service!.requestsShed).to.equal(0);
      expect(roomy.cluster.probes!.failures).to.equal(0);
    },
  );
});
