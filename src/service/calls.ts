import type { KeyedStream, RandomStreams } from '../engine/random.js';
import type { Simulation } from '../engine/simulation.js';
import { msToNs, sToNs } from '../engine/time.js';
import type { Column } from '../runtime/pod-runtime.js';
import type { CallSpec, Dependencies, ServiceSpec } from '../scenario/service-schema.js';
import { type DurationSampler, durationSampler } from '../workload/distributions.js';
import { OUTCOME_FAILED, OUTCOME_OK, OUTCOME_SHED, type RequestTable } from '../workload/requests.js';
import { CircuitBreaker, StateOpen } from './breaker.js';
import { DEP_QUEUED, DEP_REJECTED, DEP_START, Dependency } from './dependency.js';
import { ConcurrencyLimiter, type LimiterSpec } from './limiter.js';
import { CONN_DIAL, CONN_IDLE, ConnPool, type PoolSettings, resolveMaxIdle } from './pool.js';

// The run's `service` summary lives in its own module (issue 16's 700-line rule); re-exported for importers.
export { type ServiceSummary, serviceSummary } from './service-summary.js';

/** The G side of a call: the pod's scheduler, told when its G may run again and whether the call succeeded. */
export interface CallWaker {
  callDone(gp: number, ok: boolean): void;
}

// Phases of one attempt.
const P_FREE = 0;
const P_POOL_WAIT = 1; // waiting for a connection (connRequests / connsPerHostWait)
const P_DIALING = 2; // opening a new connection (connectMs)
const P_AT_DEP = 3; // queued or served at the dependency
const P_BACKOFF = 4; // waiting before a retry
const P_HUNG = 5; // sent to a dependency in a hanging outage: no answer will come

/** Draws of one attempt are keyed by (request's draw key, pc × ATTEMPTS + attempt): retries ≤ 10. */
const ATTEMPTS = 16;

/** One compiled `call` step: its dependency (index) and settings in ns. */
export interface CompiledCall {
  dep: number;
  timeoutNs: number;
  retries: number;
  backoffNs: number;
  maxBackoffNs: number;
  fullJitter: boolean;
}

interface DepModel {
  readonly dep: Dependency;
  readonly latency: DurationSampler;
  readonly latencyStream: KeyedStream;
  readonly errorStream: KeyedStream;
  readonly connect: DurationSampler;
  readonly connectStream: KeyedStream;
  readonly jitterStream: KeyedStream;
  readonly errorRate: number;
  readonly pool: PoolSettings;
  readonly breaker: ServiceWorldBreaker | undefined;
}

interface ServiceWorldBreaker {
  maxRequests: number;
  intervalNs: number;
  timeoutNs: number;
  consecutiveFailures: number;
}

/**
 * The service's world, fleet-wide: the dependencies every pod calls (shared: their queues feel the whole
 * fleet's load), the attempts in progress, and each pod's PodService (its pools, breakers and limiter).
 * It owns the leaves (Dependency, ConnPool, CircuitBreaker, ConcurrencyLimiter) and the engine events
 * between them: a dial completing, a dependency finishing a call, a deadline, a retry's backoff.
 * Every draw comes from a keyed stream per (purpose, dependency) positioned by the request's draw key,
 * the step and the attempt (common random numbers: a call costs the same whichever pod makes it).
 */
export class ServiceWorld {
  readonly deps: DepModel[] = [];
  readonly names: string[];
  readonly pods: PodService[] = [];
  readonly requestTimeoutNs: number;
  readonly limiter: LimiterSpec | undefined;
  /** Extra latency on every network wait (the network-latency fault), shared with the pods' netpoll. */
  private readonly network: { extraNs: number };
  // Attempts, struct-of-arrays, recycled through `free`.
  private cap = 0;
  private cPod = new Int32Array(0);
  private cG = new Int32Array(0);
  private cCall = new Int32Array(0);
  private cKey = new Int32Array(0);
  private cPc = new Int32Array(0);
  private cAttempt = new Int32Array(0);
  private cPhase = new Uint8Array(0);
  /** The G gave up on this attempt (its deadline): whoever still holds it (a dial, the dependency) frees it. */
  private cGone = new Uint8Array(0);
  private cError = new Uint8Array(0);
  private cConn = new Float64Array(0);
  private cReqDeadline = new Float64Array(0);
  /** Engine handles (beyond 2^31: a double). */
  private cTimeoutH = new Float64Array(0);
  private cGen = new Int32Array(0);
  private freeList: number[] = [];
  private next = 0;
  private readonly kDialed: number;
  private readonly kDepDone: number;
  private readonly kTimeout: number;
  private readonly kRetry: number;

  constructor(
    readonly sim: Simulation,
    deps: Dependencies,
    service: ServiceSpec,
    rng: RandomStreams,
    network: { extraNs: number } = { extraNs: 0 },
  ) {
    this.network = network;
    this.names = Object.keys(deps);
    for (const name of this.names) {
      const d = deps[name]!;
      const p = d.pool;
      const maxOpen = p.style === 'database/sql' ? p.maxOpenConns : p.maxConnsPerHost;
      const idle = p.style === 'database/sql' ? p.maxIdleConns : p.maxIdleConnsPerHost;
      const latencyStream = rng.keyed(`dependencies.${name}.latency`);
      const connectStream = rng.keyed(`dependencies.${name}.connect`);
      this.deps.push({
        dep: new Dependency(name, d.concurrency, d.queueLimit),
        latency: durationSampler(d.latency, latencyStream),
        latencyStream,
        errorStream: rng.keyed(`dependencies.${name}.error`),
        connect: durationSampler(p.connectMs, connectStream),
        connectStream,
        jitterStream: rng.keyed(`dependencies.${name}.retry-jitter`),
        errorRate: d.errorRate,
        pool: {
          style: p.style,
          maxOpen,
          maxIdle: resolveMaxIdle(p.style, idle, maxOpen),
          maxLifetimeNs: p.style === 'database/sql' ? sToNs(p.connMaxLifetimeS) : 0,
        },
        breaker: d.breaker
          ? {
              maxRequests: d.breaker.maxRequests,
              intervalNs: sToNs(d.breaker.intervalS),
              timeoutNs: sToNs(d.breaker.timeoutS),
              consecutiveFailures: d.breaker.consecutiveFailures,
            }
          : undefined,
      });
    }
    this.requestTimeoutNs = service.requestTimeoutMs !== undefined ? msToNs(service.requestTimeoutMs) : Infinity;
    const l = service.limiter;
    this.limiter = !l
      ? undefined
      : l.type === 'fixed'
        ? { kind: 'fixed', limit: l.limit }
        : {
            kind: 'aimd',
            initialLimit: l.initialLimit,
            minLimit: l.minLimit,
            maxLimit: l.maxLimit,
            backoffRatio: l.backoffRatio,
            timeoutNs: msToNs(l.timeoutMs),
          };
    this.kDialed = sim.registerKind('service.dialed', (c) => this.onDialed(c));
    this.kDepDone = sim.registerKind('service.dependency-done', (c) => this.onDepDone(c));
    this.kTimeout = sim.registerKind('service.call-deadline', (c) => this.onDeadline(c));
    this.kRetry = sim.registerKind('service.retry', (c) => this.attempt(c));
  }

  private readonly callIndex = new Map<CallSpec, number>();

  /**
   * A `call` step's index in `calls`, compiled against the declared dependencies on first sight (every
   * pod compiles the same step objects, so they share one entry). Throws on an undeclared dependency.
   */
  compile(spec: CallSpec): number {
    let i = this.callIndex.get(spec);
    if (i === undefined) {
      i = this.calls.push(this.compileCall(spec)) - 1;
      this.callIndex.set(spec, i);
    }
    return i;
  }

  private compileCall(spec: CallSpec): CompiledCall {
    const dep = this.names.indexOf(spec.dependency);
    if (dep < 0) throw new Error(`service: dependency "${spec.dependency}" is not declared in dependencies`);
    return {
      dep,
      timeoutNs: spec.timeoutMs !== undefined ? msToNs(spec.timeoutMs) : Infinity,
      retries: spec.retries,
      backoffNs: msToNs(spec.backoffMs),
      maxBackoffNs: msToNs(spec.maxBackoffMs),
      fullJitter: spec.jitter === 'full',
    };
  }

  /** The compiled calls of the steps, shared by every pod (index = the op's argument). */
  readonly calls: CompiledCall[] = [];

  /** A new pod's side of the world: its pools, breakers and limiter. */
  podService(requests: RequestTable): PodService {
    const p = new PodService(this, this.pods.length, requests);
    this.pods.push(p);
    return p;
  }

  // ---- one call ------------------------------------------------------------------------------------

  /** G gp of pod `pod` calls (compiled call `call`), its request's deadline at reqDeadlineNs. */
  start(pod: number, gp: number, call: number, key: number, pc: number, reqDeadlineNs: number): void {
    const c = this.alloc();
    this.cPod[c] = pod;
    this.cG[c] = gp;
    this.cCall[c] = call;
    this.cKey[c] = key;
    this.cPc[c] = pc;
    this.cAttempt[c] = 0;
    this.cReqDeadline[c] = reqDeadlineNs;
    this.attempt(c);
  }

  /** One attempt: the breaker, then a connection from the pool, then the dependency. */
  private attempt(c: number): void {
    const now = this.sim.now;
    const ps = this.pods[this.cPod[c]!]!;
    if (ps.stopped) {
      this.release(c);
      return;
    }
    const cc = this.calls[this.cCall[c]!]!;
    const deadline = Math.min(this.cReqDeadline[c]!, now + cc.timeoutNs);
    if (deadline <= now) {
      ps.timeouts++;
      this.finishG(c, false);
      return;
    }
    const br = ps.breakers[cc.dep];
    if (br) {
      const gen = br.beforeRequest(now);
      if (gen < 0) {
        // ErrOpenState / ErrTooManyRequests: refused at once, no call made. The retry loop around the breaker
        // sees an error like any other and backs off: cenkalti/backoff's Retry (retry.go) retries every
        // error but a backoff.Permanent one, and resilience4j's Retry retries CallNotPermittedException
        // unless told to ignore it; gobreaker itself only refuses. So a refusal costs a retry and its
        // backoff (no connection, no dependency time), and a later attempt may find the breaker half-open.
        ps.breakerRejected++;
        this.retryOrFail(c);
        return;
      }
      this.cGen[c] = gen;
    }
    ps.attempts++;
    this.cTimeoutH[c] = Number.isFinite(deadline) ? this.sim.scheduleAt(deadline, this.kTimeout, c) : -1;
    const pool = ps.pools[cc.dep]!;
    const r = pool.conn(now, c);
    if (r === CONN_IDLE) {
      this.cConn[c] = pool.takenCreatedNs;
      this.send(c);
    } else if (r === CONN_DIAL) this.dial(c);
    else this.cPhase[c] = P_POOL_WAIT;
  }

  private dial(c: number): void {
    this.cPhase[c] = P_DIALING;
    const d = this.deps[this.calls[this.cCall[c]!]!.dep]!;
    d.connectStream.seek(this.cKey[c]!, this.cPc[c]! * ATTEMPTS + this.cAttempt[c]!);
    this.sim.schedule(d.connect.sampleNs() + this.network.extraNs, this.kDialed, c);
  }

  private onDialed(c: number): void {
    const ps = this.pods[this.cPod[c]!]!;
    const dep = this.calls[this.cCall[c]!]!.dep;
    if (this.cGone[c] === 1 || ps.stopped) {
      // The caller gave up while dialing: the connection attempt is dropped (Connect returns ctx.Err()).
      ps.pools[dep]!.dialAbandoned();
      this.openForWaiters(ps, dep);
      this.release(c);
      return;
    }
    this.cConn[c] = this.sim.now;
    this.send(c);
  }

  /**
   * The attempt reaches the dependency (queued there, served, or refused when its queue is full). In an
   * outage it fails at once (fail-fast: the connection is reset) or is never answered (hang: it holds its
   * connection until the caller's deadline, as a blackholed TCP peer does).
   */
  private send(c: number): void {
    this.cPhase[c] = P_AT_DEP;
    const d = this.deps[this.calls[this.cCall[c]!]!.dep]!;
    if (d.dep.down > 0 || d.dep.hang > 0) {
      d.dep.calls++;
      if (d.dep.down > 0) {
        d.dep.errors++;
        d.dep.outageFailed++;
        this.result(c, false);
      } else {
        d.dep.outageHung++;
        d.dep.hungNow++;
        this.cPhase[c] = P_HUNG;
      }
      return;
    }
    const r = d.dep.arrive(c);
    if (r === DEP_START) this.serve(c);
    else if (r === DEP_REJECTED) {
      d.dep.errors++;
      this.result(c, false);
    } else if (r !== DEP_QUEUED) throw new Error(`service: unknown arrival ${r}`);
  }

  /** The dependency starts serving c: its latency and whether it errs, both keyed by the attempt. */
  private serve(c: number): void {
    const d = this.deps[this.calls[this.cCall[c]!]!.dep]!;
    const k2 = this.cPc[c]! * ATTEMPTS + this.cAttempt[c]!;
    d.latencyStream.seek(this.cKey[c]!, k2);
    d.errorStream.seek(this.cKey[c]!, k2);
    this.cError[c] = d.errorRate > 0 && d.errorStream.next() < d.errorRate ? 1 : 0;
    this.sim.schedule(d.dep.slowed(d.latency.sampleNs()) + this.network.extraNs, this.kDepDone, c);
  }

  private onDepDone(c: number): void {
    const d = this.deps[this.calls[this.cCall[c]!]!.dep]!;
    const nextC = d.dep.finish();
    if (nextC >= 0) this.serve(nextC);
    if (this.cError[c] === 1) d.dep.errors++;
    if (this.cGone[c] === 1) {
      d.dep.abandoned++; // the caller left at its deadline: the work was done for nobody
      this.release(c);
      return;
    }
    if (this.pods[this.cPod[c]!]!.stopped) {
      this.release(c);
      return;
    }
    this.result(c, this.cError[c] === 0);
  }

  /** The dependency answered c (ok or an error): the connection goes back to the pool; retry or finish. */
  private result(c: number, ok: boolean): void {
    const now = this.sim.now;
    const ps = this.pods[this.cPod[c]!]!;
    const cc = this.calls[this.cCall[c]!]!;
    if (this.cTimeoutH[c]! >= 0) this.sim.cancel(this.cTimeoutH[c]!);
    this.cTimeoutH[c] = -1;
    const pool = ps.pools[cc.dep]!;
    const w = pool.putConn(now, this.cConn[c]!);
    if (w >= 0) {
      this.cConn[w] = this.cConn[c]!;
      this.send(w);
    } else this.openForWaiters(ps, cc.dep);
    ps.breakers[cc.dep]?.afterRequest(now, this.cGen[c]!, ok);
    if (ok) {
      this.finishG(c, true);
      return;
    }
    ps.callErrors++;
    this.retryOrFail(c);
  }

  /** Slots freed in the pool go to waiters as new connections (maybeOpenNewConnections). */
  private openForWaiters(ps: PodService, dep: number): void {
    const pool = ps.pools[dep]!;
    for (let w = pool.maybeOpenNewConnection(this.sim.now); w >= 0; w = pool.maybeOpenNewConnection(this.sim.now))
      this.dial(w);
  }

  /** The attempt's deadline (call timeout or the request's): the G stops waiting; the work goes on. */
  private onDeadline(c: number): void {
    const now = this.sim.now;
    const ps = this.pods[this.cPod[c]!]!;
    const cc = this.calls[this.cCall[c]!]!;
    this.cTimeoutH[c] = -1;
    ps.timeouts++;
    const pool = ps.pools[cc.dep]!;
    const phase = this.cPhase[c];
    ps.breakers[cc.dep]?.afterRequest(now, this.cGen[c]!, false);
    let n = c;
    if (phase === P_POOL_WAIT) pool.cancelWait(now, c);
    else if (phase === P_HUNG) {
      // Nobody else holds a hung attempt: the caller closes its connection and goes on with c itself.
      this.deps[cc.dep]!.dep.hungNow--;
      pool.closeConn();
      this.openForWaiters(ps, cc.dep);
    } else if (phase === P_DIALING || phase === P_AT_DEP) {
      // The dial or the dependency still holds c: hand the G to a fresh attempt record.
      this.cGone[c] = 1;
      if (phase === P_AT_DEP) {
        pool.closeConn(); // database/sql and net/http close a connection whose request was cancelled
        this.openForWaiters(ps, cc.dep);
      }
      n = this.alloc();
      this.cPod[n] = this.cPod[c]!;
      this.cG[n] = this.cG[c]!;
      this.cCall[n] = this.cCall[c]!;
      this.cKey[n] = this.cKey[c]!;
      this.cPc[n] = this.cPc[c]!;
      this.cAttempt[n] = this.cAttempt[c]!;
      this.cReqDeadline[n] = this.cReqDeadline[c]!;
    } else throw new Error(`service: deadline in phase ${phase}`);
    if (ps.stopped) {
      this.release(n);
      return;
    }
    this.retryOrFail(n);
  }

  /** After a failed attempt: another after the backoff (bounded by the request's deadline), or fail. */
  private retryOrFail(c: number): void {
    const now = this.sim.now;
    const cc = this.calls[this.cCall[c]!]!;
    const a = this.cAttempt[c]!;
    if (a >= cc.retries || now >= this.cReqDeadline[c]!) {
      this.finishG(c, false);
      return;
    }
    const ps = this.pods[this.cPod[c]!]!;
    ps.retries++;
    let wait = Math.min(cc.maxBackoffNs, cc.backoffNs * 2 ** a);
    if (cc.fullJitter) {
      const j = this.deps[cc.dep]!.jitterStream;
      j.seek(this.cKey[c]!, this.cPc[c]! * ATTEMPTS + a);
      wait = Math.round(j.next() * wait);
    }
    this.cAttempt[c] = a + 1;
    this.cPhase[c] = P_BACKOFF;
    // select { case <-time.After(backoff): case <-ctx.Done(): }: a deadline during the wait ends it there.
    this.sim.scheduleAt(Math.min(now + wait, this.cReqDeadline[c]!), this.kRetry, c);
  }

  /** The call is over for its G: it runs again (ok or failed). */
  private finishG(c: number, ok: boolean): void {
    const ps = this.pods[this.cPod[c]!]!;
    const gp = this.cG[c]!;
    this.release(c);
    if (ok) ps.callsOk++;
    else ps.callsFailed++;
    if (!ps.stopped) ps.waker!.callDone(gp, ok);
  }

  private alloc(): number {
    let c: number;
    if (this.freeList.length > 0) c = this.freeList.pop()!;
    else {
      if (this.next === this.cap) this.grow();
      c = this.next++;
    }
    this.cGone[c] = 0;
    this.cTimeoutH[c] = -1;
    this.cGen[c] = 0;
    this.cPhase[c] = P_FREE;
    return c;
  }

  private release(c: number): void {
    if (this.cTimeoutH[c]! >= 0) this.sim.cancel(this.cTimeoutH[c]!);
    this.cTimeoutH[c] = -1;
    this.cPhase[c] = P_FREE;
    this.freeList.push(c);
  }

  private grow(): void {
    const n = Math.max(256, this.cap * 2);
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    const u8 = (a: Uint8Array) => {
      const b = new Uint8Array(n);
      b.set(a);
      return b;
    };
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.cPod = i32(this.cPod);
    this.cG = i32(this.cG);
    this.cCall = i32(this.cCall);
    this.cKey = i32(this.cKey);
    this.cPc = i32(this.cPc);
    this.cAttempt = i32(this.cAttempt);
    this.cPhase = u8(this.cPhase);
    this.cGone = u8(this.cGone);
    this.cError = u8(this.cError);
    this.cConn = f64(this.cConn);
    this.cReqDeadline = f64(this.cReqDeadline);
    this.cTimeoutH = f64(this.cTimeoutH);
    this.cGen = i32(this.cGen);
    this.cap = n;
  }

  // ---- metrics -------------------------------------------------------------------------------------

  /** A dependency by name (a fault's target; the loader checked that it is declared). */
  dependency(name: string): Dependency {
    const i = this.names.indexOf(name);
    if (i < 0) throw new Error(`service: dependency "${name}" is not declared in dependencies`);
    return this.deps[i]!.dep;
  }

  /**
   * timeseries.csv's fleet-level columns: each dependency's in-flight, queued, calls and errors; for a
   * dependency a fault targets, also whether it is down, its latency factor, calls failed at once by an
   * outage and calls hung in one now.
   */
  columns(): Column<void>[] {
    return this.deps.flatMap(({ dep }) => [
      { name: `dep_${dep.name}_in_flight`, kind: 'gauge' as const, read: () => dep.inService },
      { name: `dep_${dep.name}_queued`, kind: 'gauge' as const, read: () => dep.queued },
      { name: `dep_${dep.name}_calls`, kind: 'counter' as const, read: () => dep.calls },
      { name: `dep_${dep.name}_errors`, kind: 'counter' as const, read: () => dep.errors },
      ...(dep.faulted
        ? [
            { name: `dep_${dep.name}_down`, kind: 'gauge' as const, read: () => (dep.down + dep.hang > 0 ? 1 : 0) },
            { name: `dep_${dep.name}_latency_factor`, kind: 'gauge' as const, read: () => dep.latencyFactor },
            { name: `dep_${dep.name}_outage_failed`, kind: 'counter' as const, read: () => dep.outageFailed },
            { name: `dep_${dep.name}_hung`, kind: 'gauge' as const, read: () => dep.hungNow },
          ]
        : []),
    ]);
  }

  /** summary.json's `dependencies` block. */
  summary(): Record<string, DependencyCounts> {
    const out: Record<string, DependencyCounts> = {};
    for (const d of this.deps) {
      out[d.dep.name] = {
        calls: d.dep.calls,
        errors: d.dep.errors,
        rejected: d.dep.rejected,
        abandoned: d.dep.abandoned,
        maxQueued: d.dep.maxQueued,
        ...(d.dep.faulted ? { outage: { failedFast: d.dep.outageFailed, hung: d.dep.outageHung } } : {}),
      };
    }
    return out;
  }
}

/** A dependency's own counts (summary.json's service.dependencies.<name>, before its pools and breakers). */
export interface DependencyCounts {
  calls: number;
  errors: number;
  rejected: number;
  abandoned: number;
  maxQueued: number;
  /** With a fault on it: calls an outage failed at once, and calls it left unanswered (hang). */
  outage?: { failedFast: number; hung: number };
}

/**
 * One pod's side of the service's world: its pool and breaker per dependency, its limiter, and its counts.
 * Its scheduler calls `call` (from a `call` op) and `admit`/`requestDone` (per request); the world calls
 * back `waker.callDone` when a call is over.
 */
export class PodService {
  readonly pools: ConnPool[];
  readonly breakers: (CircuitBreaker | undefined)[];
  readonly limiter: ConcurrencyLimiter | undefined;
  waker: CallWaker | undefined;
  stopped = false;
  // counters
  attempts = 0;
  callsOk = 0;
  callsFailed = 0;
  callErrors = 0;
  timeouts = 0;
  retries = 0;
  breakerRejected = 0;
  requestsFailed = 0;
  requestsShed = 0;

  constructor(
    private readonly world: ServiceWorld,
    readonly index: number,
    private readonly requests: RequestTable,
  ) {
    this.pools = world.deps.map((d) => new ConnPool(d.pool));
    this.breakers = world.deps.map((d) => (d.breaker ? new CircuitBreaker(d.breaker, world.sim.now) : undefined));
    this.limiter = world.limiter ? new ConcurrencyLimiter(world.limiter) : undefined;
  }

  /** A `call` step's index in the world's compiled calls (program.ts compiles Op.Call with it). */
  compileCall(spec: CallSpec): number {
    return this.world.compile(spec);
  }

  /** G gp runs compiled call `call` for request `req` (its deadline counts from the request's arrival). */
  call(gp: number, call: number, key: number, pc: number, req: number): void {
    const deadline = req >= 0 ? this.requests.arrivalNs[req]! + this.world.requestTimeoutNs : Infinity;
    this.world.start(this.index, gp, call, key, pc, deadline);
  }

  /** A call of request `req` failed: the request will answer with an error. */
  failRequest(req: number): void {
    if (req >= 0) this.requests.outcome[req] = OUTCOME_FAILED;
  }

  /**
   * A request arrives: the limiter admits it (true), or it is shed — marked, and its handler answers 503
   * at once (the G still runs: accepting and answering are not free).
   */
  admit(req: number): boolean {
    if (!this.limiter || this.limiter.tryAcquire()) return true;
    this.requestsShed++;
    this.requests.outcome[req] = OUTCOME_SHED;
    return false;
  }

  /** Request `req` completes now (before its id is released): the limiter learns its RTT and outcome. */
  requestDone(req: number): void {
    const outcome = this.requests.outcome[req];
    if (outcome === OUTCOME_SHED) return;
    const failed = outcome !== OUTCOME_OK;
    if (failed) this.requestsFailed++;
    this.limiter?.onSample(this.world.sim.now - this.requests.arrivalNs[req]!, failed);
  }

  /** The pod is gone: calls in progress end quietly. */
  stop(): void {
    this.stopped = true;
  }

  /** Pool wait so far, ns, over every dependency (DBStats.WaitDuration, open waits included). */
  poolWaitNs(now: number): number {
    let w = 0;
    for (const p of this.pools) w += p.waitNsNow(now);
    return w;
  }

  poolInUse(): number {
    let n = 0;
    for (const p of this.pools) n += p.inUse;
    return n;
  }

  poolIdle(): number {
    let n = 0;
    for (const p of this.pools) n += p.idle;
    return n;
  }

  /** This pod's timeseries columns (summed over pods by the fleet). */
  columns(now: () => number): Column<void>[] {
    const per = this.world.names.flatMap((name, i) => {
      const p = this.pools[i]!;
      const br = this.breakers[i];
      return [
        { name: `pool_${name}_in_use`, kind: 'gauge' as const, read: () => p.inUse },
        { name: `pool_${name}_idle`, kind: 'gauge' as const, read: () => p.idle },
        { name: `pool_${name}_waiting`, kind: 'gauge' as const, read: () => p.waiting },
        { name: `pool_${name}_wait_ms`, kind: 'counter' as const, read: () => p.waitNsNow(now()) / 1e6 },
        { name: `pool_${name}_dials`, kind: 'counter' as const, read: () => p.dials },
        ...(br
          ? [
              {
                name: `breaker_${name}_open`,
                kind: 'gauge' as const,
                read: () => (br.currentState(now()) === StateOpen ? 1 : 0),
              },
            ]
          : []),
      ];
    });
    return [
      ...per,
      { name: 'calls', kind: 'counter', read: () => this.attempts },
      { name: 'call_errors', kind: 'counter', read: () => this.callErrors },
      { name: 'call_timeouts', kind: 'counter', read: () => this.timeouts },
      { name: 'call_retries', kind: 'counter', read: () => this.retries },
      { name: 'breaker_rejected', kind: 'counter', read: () => this.breakerRejected },
      { name: 'requests_failed', kind: 'counter', read: () => this.requestsFailed },
      { name: 'requests_shed', kind: 'counter', read: () => this.requestsShed },
      ...(this.limiter ? [{ name: 'limiter_limit', kind: 'gauge' as const, read: () => this.limiter!.limit }] : []),
    ];
  }
}
