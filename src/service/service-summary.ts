/**
 * summary.json's `service` block: what the calls, pools, breakers and limiters of every pod did over the run,
 * read off the ServiceWorld at the end. Moved out of calls.ts (issue 16's 700-line rule), which re-exports it.
 */
import type { DependencyCounts, PodService, ServiceWorld } from './calls.js';

/** summary.json's `service` block: what the calls, pools, breakers and limiters did over the run. */
export interface ServiceSummary {
  /** Requests that failed (a call failed, or the request's deadline passed in a call), answered as errors. */
  requestsFailed: number;
  /** Requests the limiter refused (503 at once). */
  requestsShed: number;
  /** Latency of the failed and shed requests, ms (kept apart from the successes' latencyMs). */
  failedLatencyMs: { count: number; p50: number; p99: number; max: number };
  calls: {
    attempts: number;
    ok: number;
    failed: number;
    errors: number;
    timeouts: number;
    retries: number;
    breakerRejected: number;
  };
  /** Per dependency: the dependency's own counts, and its pools and breakers summed over every pod. */
  dependencies: Record<
    string,
    DependencyCounts & {
      pool: { dials: number; waitCount: number; waitMs: number; maxIdleClosed: number; maxLifetimeClosed: number };
      breakerTrips?: number;
    }
  >;
  /** The limiter's limit at the end, per pod still running (the adaptive one moves). */
  limiterLimitsAtEnd?: number[];
}

/** The run's `service` summary from the world (every pod's service that ever ran) and the failed latencies. */
export function serviceSummary(
  w: ServiceWorld,
  failed: { count: number; quantiles(q: number[]): number[]; max(): number },
  requestsShed: number,
  requestsFailed: number,
): ServiceSummary {
  const sum = (f: (p: PodService) => number) => w.pods.reduce((a, p) => a + f(p), 0);
  const [p50, p99] = failed.quantiles([0.5, 0.99]);
  const deps = w.summary();
  const now = w.sim.now;
  const dependencies: ServiceSummary['dependencies'] = {};
  w.names.forEach((name, i) => {
    const pools = w.pods.map((p) => p.pools[i]!);
    const breakers = w.pods.map((p) => p.breakers[i]).filter((b) => b !== undefined);
    dependencies[name] = {
      ...deps[name]!,
      pool: {
        dials: pools.reduce((a, p) => a + p.dials, 0),
        waitCount: pools.reduce((a, p) => a + p.waitCount, 0),
        waitMs: pools.reduce((a, p) => a + p.waitNsNow(now), 0) / 1e6,
        maxIdleClosed: pools.reduce((a, p) => a + p.maxIdleClosed, 0),
        maxLifetimeClosed: pools.reduce((a, p) => a + p.maxLifetimeClosed, 0),
      },
      ...(breakers.length > 0 ? { breakerTrips: breakers.reduce((a, b) => a + b.trips, 0) } : {}),
    };
  });
  return {
    requestsFailed,
    requestsShed,
    failedLatencyMs: { count: failed.count, p50: p50!, p99: p99!, max: failed.max() },
    calls: {
      attempts: sum((p) => p.attempts),
      ok: sum((p) => p.callsOk),
      failed: sum((p) => p.callsFailed),
      errors: sum((p) => p.callErrors),
      timeouts: sum((p) => p.timeouts),
      retries: sum((p) => p.retries),
      breakerRejected: sum((p) => p.breakerRejected),
    },
    dependencies,
    ...(w.limiter ? { limiterLimitsAtEnd: w.pods.filter((p) => !p.stopped).map((p) => p.limiter!.limit) } : {}),
  };
}
