/**
 * A per-pod concurrency limiter (load shedder), as Netflix's concurrency-limits SimpleLimiter does it:
 * a request is admitted while fewer than `limit` are in flight, else refused at once (the caller answers
 * 503). The limit is fixed, or adaptive by AIMDLimit (limit/AIMDLimit.java): after each request, a drop
 * (it failed) or an RTT over `timeoutNs` multiplies the limit by backoffRatio; otherwise, when the
 * in-flight count was at least half the limit, the limit grows by one; it stays in [minLimit, maxLimit].
 * A leaf: it answers admit/refuse; its owner calls onSample when an admitted request ends.
 */
export type LimiterSpec =
  | { kind: 'fixed'; limit: number }
  | { kind: 'aimd'; initialLimit: number; minLimit: number; maxLimit: number; backoffRatio: number; timeoutNs: number };

export class ConcurrencyLimiter {
  inFlight = 0;
  limit: number;
  /** Requests refused so far. */
  shed = 0;

  constructor(private readonly spec: LimiterSpec) {
    this.limit = spec.kind === 'fixed' ? spec.limit : spec.initialLimit;
  }

  /** SimpleLimiter.acquire: true and the request counts in flight, or false (shed). */
  tryAcquire(): boolean {
    if (this.inFlight >= this.limit) {
      this.shed++;
      return false;
    }
    this.inFlight++;
    return true;
  }

  /** An admitted request ended after rttNs; didDrop: it failed. AIMDLimit._update for the adaptive kind. */
  onSample(rttNs: number, didDrop: boolean): void {
    const inflight = this.inFlight;
    this.inFlight--;
    const s = this.spec;
    if (s.kind === 'fixed') return;
    let limit = this.limit;
    if (didDrop || rttNs > s.timeoutNs) limit = Math.floor(limit * s.backoffRatio);
    else if (inflight * 2 >= limit) limit = limit + 1;
    this.limit = Math.min(s.maxLimit, Math.max(s.minLimit, limit));
  }
}
