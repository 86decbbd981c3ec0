import type { KeyedStream } from '../engine/random.js';
import type { Simulation } from '../engine/simulation.js';
import { msToNs } from '../engine/time.js';
import { type ClientRetryOn, DEFAULT_CLIENT_RETRY_ON } from '../scenario/client-schema.js';

const RETRY_PACK = 16;

export interface ClientSpec {
  timeoutMs?: number | undefined;
  retries: number;
  backoffMs: number;
  retryOn?: readonly ClientRetryOn[] | undefined;
  jitter?: 'none' | 'full' | 'equal' | undefined;
  maxBackoffMs?: number | undefined;
}

/** Whether the scenario sets any of the callers' retry-policy fields (then the run reports offered load). */
export function clientPolicySet(c: ClientSpec): boolean {
  return c.retryOn !== undefined || c.jitter !== undefined || c.maxBackoffMs !== undefined;
}

/**
 * The callers' side of each request: when the logical request began (its first attempt), which
 * attempt an id carries, its pending timeout, and whether the caller has given up on it. A timed-out
 * attempt keeps running on the server (wasted work) while the caller retries after an exponential
 * backoff — the mechanism of retry storms.
 */
export class Clients {
  private readonly firstNs: number[] = [];
  private readonly attempt: number[] = [];
  /** The logical request's arrival index (what its work is keyed by). */
  private readonly seq: number[] = [];
  private readonly timeoutH: number[] = [];
  private readonly abandoned: number[] = [];
  private readonly kTimeout: number;
  private readonly kRetry: number;
  private readonly kLostTimeout: number;
  timeouts = 0;
  retries = 0;
  /** Logical requests that failed for good (last attempt timed out, refused or lost). */
  failed = 0;
  /** Attempts the server finished after the caller had given up. */
  wasted = 0;

  /** Called when a logical request fails for good (closed-loop users then think and go again). */
  onGiveUp: ((seq: number) => void) | undefined;

  /** What the callers retry (retryOn, or what they retried before it existed). */
  private readonly retryOn: ReadonlySet<ClientRetryOn>;

  /** Without timeouts or retries the callers keep no per-request state (the common, cheap case). */
  readonly active: boolean;

  constructor(
    private readonly sim: Simulation,
    private readonly spec: ClientSpec,
    /** Starts attempt `attempt` of logical request number `seq`, which began at `firstNs`. */
    private readonly send: (firstNs: number, attempt: number, seq: number) => void,
    /** When an id's attempt reached the Service (the request table's arrival time). */
    private readonly attemptArrivalNs: (id: number) => number,
    /** The backoff's jitter, keyed by (logical request, attempt): never drawn in event order. */
    private readonly jitterStream?: KeyedStream,
  ) {
    this.active = spec.timeoutMs !== undefined || spec.retries > 0;
    this.retryOn = new Set(spec.retryOn ?? DEFAULT_CLIENT_RETRY_ON);
    this.kTimeout = sim.registerKind('client.timeout', (id) => this.onTimeout(id));
    // The retry's target packs (seq, attempt): attempt ≤ 10 < RETRY_PACK, exact while seq < 2^48.
    this.kRetry = sim.registerKind('client.retry', (packed, firstNs) =>
      this.send(firstNs, packed % RETRY_PACK, Math.floor(packed / RETRY_PACK)),
    );
    this.kLostTimeout = sim.registerKind('client.lost-timeout', (packed, firstNs) => {
      this.timeouts++;
      this.failedAttempt(firstNs, packed % RETRY_PACK, Math.floor(packed / RETRY_PACK), 'timeout');
    });
  }

  /** Whether the caller still waits for attempt `id` (it has not timed out or been lost). */
  awaiting(id: number): boolean {
    return this.active && !this.isAbandoned(id);
  }

  /**
   * The response to `id` was lost on the way back (packet loss): the caller hears nothing, so its timeout
   * fires when it would have (then it retries or gives up). The id may be reused at once.
   */
  responseLost(id: number): void {
    if (this.timeoutH[id]! >= 0) this.sim.cancel(this.timeoutH[id]!);
    const left = Math.max(0, this.attemptArrivalNs(id) + msToNs(this.spec.timeoutMs ?? 0) - this.sim.now);
    this.sim.schedule(left, this.kLostTimeout, this.seq[id]! * RETRY_PACK + this.attempt[id]!, this.firstNs[id]!);
  }

  /** Attempt `attempt` of a request begun at firstNs now runs as `id` on a pod. */
  started(id: number, firstNs: number, attempt: number, seq: number): void {
    if (!this.active) return;
    this.firstNs[id] = firstNs;
    this.attempt[id] = attempt;
    this.seq[id] = seq;
    this.setAbandoned(id, false);
    this.timeoutH[id] =
      this.spec.timeoutMs !== undefined ? this.sim.schedule(msToNs(this.spec.timeoutMs), this.kTimeout, id) : -1;
  }

  firstArrivalNs(id: number): number {
    return this.active ? this.firstNs[id]! : this.attemptArrivalNs(id);
  }

  /** The server finished `id`. Returns false if the caller had already given up on it. */
  finished(id: number): boolean {
    if (!this.active) return true;
    if (this.isAbandoned(id)) {
      this.wasted++;
      return false;
    }
    if (this.timeoutH[id]! >= 0) this.sim.cancel(this.timeoutH[id]!);
    return true;
  }

  /** An attempt failed without running (refused), was lost with its pod or timed out: retry or give up. */
  failedAttempt(firstNs: number, attempt: number, seq: number, why: 'timeout' | 'refused' | 'lost'): void {
    if (this.retry(firstNs, attempt, seq, why)) return;
    this.failed++;
    this.onGiveUp?.(seq);
  }

  /**
   * The server answered attempt `id` with an error (a 500) or shed it (a 503), and the caller heard it:
   * true if the caller retries it (retryOn names it and attempts remain), false if that answer is final.
   */
  retryAnswer(id: number, why: 'error' | 'shed'): boolean {
    return this.active && this.retry(this.firstNs[id]!, this.attempt[id]!, this.seq[id]!, why);
  }

  /** Schedules the next attempt after the backoff when the policy retries `why` and attempts remain. */
  private retry(firstNs: number, attempt: number, seq: number, why: ClientRetryOn): boolean {
    if (attempt >= this.spec.retries || !this.retryOn.has(why)) return false;
    this.retries++;
    let wait = this.spec.backoffMs * 2 ** attempt;
    if (this.spec.maxBackoffMs !== undefined) wait = Math.min(wait, this.spec.maxBackoffMs);
    const jitter = this.spec.jitter ?? 'none';
    if (jitter !== 'none' && this.jitterStream) {
      this.jitterStream.seek(seq, attempt);
      const u = this.jitterStream.next();
      wait = jitter === 'full' ? u * wait : wait / 2 + (u * wait) / 2;
    }
    this.sim.schedule(msToNs(wait), this.kRetry, seq * RETRY_PACK + attempt + 1, firstNs);
    return true;
  }

  /** The logical request an attempt belongs to (only while the callers keep state: a timeout or retries). */
  seqOf(id: number): number {
    return this.seq[id]!;
  }

  /** A lost attempt (its pod was killed). */
  lost(id: number): void {
    if (!this.active) {
      this.failed++;
      return;
    }
    if (this.isAbandoned(id)) return;
    if (this.timeoutH[id]! >= 0) this.sim.cancel(this.timeoutH[id]!);
    this.setAbandoned(id, true);
    this.failedAttempt(this.firstNs[id]!, this.attempt[id]!, this.seq[id]!, 'lost');
  }

  private onTimeout(id: number): void {
    this.timeouts++;
    this.setAbandoned(id, true);
    this.failedAttempt(this.firstNs[id]!, this.attempt[id]!, this.seq[id]!, 'timeout');
  }

  private isAbandoned(id: number): boolean {
    return this.abandoned[id] === 1;
  }

  private setAbandoned(id: number, on: boolean): void {
    this.abandoned[id] = on ? 1 : 0;
  }
}
