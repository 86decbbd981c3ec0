/**
 * A circuit breaker, mirroring sony/gobreaker (gobreaker.go): closed → open when ReadyToTrip says so
 * (here gobreaker's default, consecutive failures > N); open → half-open after `timeout`; half-open lets
 * `maxRequests` calls through and closes after that many consecutive successes, reopening on any failure.
 * In the closed state the counts are cleared every `interval` (0: never). Each state change starts a new
 * generation, and a result reported for an older generation is ignored (afterRequest). Times are ns.
 * A leaf: it answers with booleans and states; its owner counts and reports.
 */
export const StateClosed = 0;
export const StateHalfOpen = 1;
export const StateOpen = 2;

export interface BreakerSettings {
  /** Calls allowed through while half-open (gobreaker's MaxRequests; 0 means 1). */
  maxRequests: number;
  /** Cyclic period of the closed state's counts, ns (0: counts are never cleared while closed). */
  intervalNs: number;
  /** How long the breaker stays open before trying half-open, ns (gobreaker's Timeout; 0 means 60 s). */
  timeoutNs: number;
  /** ReadyToTrip: trip when consecutive failures exceed this (gobreaker's default is 5). */
  consecutiveFailures: number;
}

export class CircuitBreaker {
  state = StateClosed;
  generation = 0;
  /** gobreaker's Counts. */
  requests = 0;
  totalSuccesses = 0;
  totalFailures = 0;
  consecutiveSuccesses = 0;
  consecutiveFailures = 0;
  private expiry = 0;
  /** Times the breaker tripped open (closed → open or half-open → open). */
  trips = 0;
  private readonly maxRequests: number;
  private readonly timeoutNs: number;

  constructor(
    private readonly st: BreakerSettings,
    now = 0,
  ) {
    this.maxRequests = st.maxRequests === 0 ? 1 : st.maxRequests;
    this.timeoutNs = st.timeoutNs === 0 ? 60e9 : st.timeoutNs;
    this.toNewGeneration(now);
  }

  /**
   * beforeRequest: the generation the call belongs to (pass it to afterRequest), or -1 when refused —
   * ErrOpenState while open, ErrTooManyRequests while half-open with maxRequests already let through.
   */
  beforeRequest(now: number): number {
    const state = this.currentState(now);
    if (state === StateOpen) return -1;
    if (state === StateHalfOpen && this.requests >= this.maxRequests) return -1;
    this.requests++;
    return this.generation;
  }

  /** afterRequest: the call of generation `before` succeeded or failed (ignored if the generation moved on). */
  afterRequest(now: number, before: number, success: boolean): void {
    const state = this.currentState(now);
    if (this.generation !== before) return;
    if (success) this.onSuccess(state, now);
    else this.onFailure(state, now);
  }

  /** The state now (advancing closed → new generation, open → half-open when their expiry passed). */
  currentState(now: number): number {
    if (this.state === StateClosed) {
      if (this.expiry !== 0 && this.expiry < now) this.toNewGeneration(now);
    } else if (this.state === StateOpen) {
      if (this.expiry < now) this.setState(StateHalfOpen, now);
    }
    return this.state;
  }

  private onSuccess(state: number, now: number): void {
    if (state === StateClosed) {
      this.totalSuccesses++;
      this.consecutiveSuccesses++;
      this.consecutiveFailures = 0;
    } else if (state === StateHalfOpen) {
      this.totalSuccesses++;
      this.consecutiveSuccesses++;
      this.consecutiveFailures = 0;
      if (this.consecutiveSuccesses >= this.maxRequests) this.setState(StateClosed, now);
    }
  }

  private onFailure(state: number, now: number): void {
    if (state === StateClosed) {
      this.totalFailures++;
      this.consecutiveFailures++;
      this.consecutiveSuccesses = 0;
      if (this.consecutiveFailures > this.st.consecutiveFailures) this.setState(StateOpen, now);
    } else if (state === StateHalfOpen) {
      this.setState(StateOpen, now);
    }
  }

  private setState(state: number, now: number): void {
    if (this.state === state) return;
    this.state = state;
    if (state === StateOpen) this.trips++;
    this.toNewGeneration(now);
  }

  private toNewGeneration(now: number): void {
    this.generation++;
    this.requests = this.totalSuccesses = this.totalFailures = this.consecutiveSuccesses = this.consecutiveFailures = 0;
    if (this.state === StateClosed) this.expiry = this.st.intervalNs === 0 ? 0 : now + this.st.intervalNs;
    else if (this.state === StateOpen) this.expiry = now + this.timeoutNs;
    else this.expiry = 0;
  }
}
