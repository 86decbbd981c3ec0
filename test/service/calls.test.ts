import { expect } from 'chai';
import { scenarioFromData } from '../../src/scenario/load.js';
import { runScenario } from '../../src/sim/experiment.js';

/**
 * A `call` step end to end, on one pod: the G parks for the dependency and its pool; deadlines fail the
 * request while the dependency keeps working; retries are new calls; draws are common random numbers.
 */
const base = (
  over: Record<string, unknown> = {},
  dep: Record<string, unknown> = {},
  call: Record<string, unknown> = {},
) =>
  scenarioFromData(
    {
      durationS: 10,
      runtime: { gomaxprocs: 2 },
      workload: {
        arrival: { process: 'poisson', ratePerS: 200 },
        request: { steps: [{ cpu: { dist: 'constant', valueMs: 0.1 } }, { call: { dependency: 'db', ...call } }] },
      },
      dependencies: { db: { latency: { dist: 'constant', valueMs: 10 }, ...dep } },
      ...over,
    },
    'case.yaml',
  );

describe('service/calls: the call step end to end', () => {
  it('a call takes the dependency latency plus the first dial (connectMs), parked (not on a P)', () => {
    const s = runScenario(
      base(
        {},
        {
          pool: {
            style: 'database/sql',
            maxOpenConns: 0,
            maxIdleConns: 100,
            connectMs: { dist: 'constant', valueMs: 3 },
          },
        },
      ),
    ).summary;
    expect(s.latencyMs.p50).to.be.within(10.1, 10.5);
    expect(s.latencyMs.max).to.be.within(13, 14);
    expect(s.utilization).to.be.below(0.05);
    expect(s.service!.calls.ok).to.equal(s.requests.completed);
  });

  it('a call deadline fails the request at the deadline; the dependency still finishes the work (abandoned)', () => {
    const s = runScenario(base({}, {}, { timeoutMs: 5 })).summary;
    expect(s.requests.completed).to.equal(0);
    expect(s.service!.requestsFailed).to.be.greaterThan(1500);
    expect(s.service!.failedLatencyMs.p50).to.be.within(5, 5.5);
    const db = s.service!.dependencies.db!;
    expect(db.abandoned).to.be.greaterThan(1500);
    expect(db.calls).to.equal(s.service!.calls.attempts);
  });

  it('the request deadline (service.requestTimeoutMs) bounds the call as well', () => {
    const s = runScenario(base({ service: { requestTimeoutMs: 5 } })).summary;
    expect(s.requests.completed).to.equal(0);
    expect(s.service!.failedLatencyMs.p99).to.be.within(5, 6);
  });

  it('retries are new calls: each failed attempt costs another call at the dependency', () => {
    const s = runScenario(base({}, { errorRate: 0.5 }, { retries: 2, backoffMs: 1 })).summary;
    const c = s.service!.calls;
    expect(c.retries).to.be.greaterThan(0);
    expect(c.attempts).to.equal(s.service!.dependencies.db!.calls);
    expect(c.attempts).to.be.closeTo(s.requests.arrived * (1 + 0.5 + 0.25), 0.1 * s.requests.arrived);
    // A request fails only when all three attempts err: 1/8.
    expect(s.service!.requestsFailed / s.requests.arrived).to.be.closeTo(0.125, 0.03);
  });

  it('a shared dependency: concurrency 1 and 10 ms calls saturate at 100/s, so the fleet queues there', () => {
    const s = runScenario(
      base(
        {
          cluster: { replicas: 3 },
          workload: {
            arrival: { process: 'poisson', ratePerS: 90 },
            request: { steps: [{ call: { dependency: 'db' } }] },
          },
        },
        { concurrency: 1 },
      ),
    ).summary;
    expect(s.service!.dependencies.db!.maxQueued).to.be.greaterThan(5);
    expect(s.latencyMs.p99).to.be.greaterThan(50);
  });

  it('common random numbers: the same seed gives the same run; the dependency draws do not depend on the pool', () => {
    const a = runScenario(base({}, { latency: { dist: 'exponential', meanMs: 10 } })).summary;
    const b = runScenario(base({}, { latency: { dist: 'exponential', meanMs: 10 } })).summary;
    expect(JSON.stringify(a)).to.equal(JSON.stringify(b));
    const unlimited = runScenario(
      base(
        {},
        {
          latency: { dist: 'exponential', meanMs: 10 },
          pool: { style: 'net/http', maxIdleConnsPerHost: 1000, connectMs: { dist: 'constant', valueMs: 0 } },
        },
      ),
    ).summary;
    expect(unlimited.latencyMs.p50).to.be.closeTo(a.latencyMs.p50, 0.5);
  });

  it('pool metrics are Pods metrics an HPA can scale on (go_sql_wait_duration_seconds)', () => {
    const hpa = (name: string, value: number) => ({
      minReplicas: 1,
      maxReplicas: 6,
      metrics: [{ type: 'Pods', pods: { metric: { name }, target: { type: 'AverageValue', averageValue: value } } }],
    });
    // 400 req/s × 10 ms = 4 connections busy on average, with 2 allowed per pod: one pod's callers queue.
    const pool = { pool: { style: 'database/sql', maxOpenConns: 2, maxIdleConns: 2 } };
    const run = (h: ReturnType<typeof hpa>) =>
      runScenario(
        base(
          {
            durationS: 120,
            hpa: h,
            workload: {
              arrival: { process: 'poisson', ratePerS: 400 },
              request: { steps: [{ call: { dependency: 'db' } }] },
            },
          },
          pool,
        ),
      ).summary;
    const waiting = run(hpa('go_sql_wait_duration_seconds', 0.5));
    expect(waiting.cluster.maxReplicas).to.be.at.least(3);
    const inUse = run(hpa('go_sql_in_use_connections', 1));
    expect(inUse.cluster.maxReplicas).to.be.at.least(3);
  });

  it('no dependencies, no deadline, no limiter: no service block (features off by default)', () => {
    const s = runScenario(scenarioFromData({ durationS: 2 }, 'case.yaml')).summary;
    expect(s.service).to.equal(undefined);
  });
});
