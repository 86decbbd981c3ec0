import type { KeyedStream } from '../engine/random.js';
import type { Simulation } from '../engine/simulation.js';
import { NS_PER_S, sToNs } from '../engine/time.js';
import { type Arrival, K6_TIMEOUT_MS } from '../scenario/schema.js';
import { type DurationSampler, durationSampler } from './distributions.js';

/** The k6 executors that run a fixed or ramping number of looping users (closed-loop). */
export type ClosedLoopArrival = Extract<Arrival, { process: 'constant-vus' | 'ramping-vus' }>;
/** Every k6 executor (the VU ones and ramping-arrival-rate). */
export type K6Arrival = Extract<Arrival, { process: 'constant-vus' | 'ramping-vus' | 'ramping-arrival-rate' }>;

export function isClosedLoop(a: Arrival): a is ClosedLoopArrival {
  return a.process === 'constant-vus' || a.process === 'ramping-vus';
}

export function isK6Executor(a: Arrival): a is K6Arrival {
  return isClosedLoop(a) || a.process === 'ramping-arrival-rate';
}

/** The callers' timeout: the scenario's, else k6's default for a k6 executor, else none. */
export function clientTimeoutMs(a: Arrival, timeoutMs: number | undefined): number | undefined {
  return timeoutMs ?? (isK6Executor(a) ? K6_TIMEOUT_MS : undefined);
}

/** Most VUs in flight at once for ramping-arrival-rate (k6: maxVUs, default preAllocatedVUs). */
export function arrivalRateMaxVUs(a: Extract<Arrival, { process: 'ramping-arrival-rate' }>): number {
  return a.maxVUs ?? a.preAllocatedVUs;
}

/**
 * Times at which the number of users changes, with the new number: linear ramps stage by stage, one change
 * each time the ramp crosses an integer (k6 ramping_vus.go, getRawExecutionSteps: for a stage from `from` to
 * `to` over d, the step to v is at start + d·(v − from)/(to − from)); after the last stage, 0 users.
 */
export function vuChangePoints(
  startVUs: number,
  stages: readonly { durationS: number; target: number }[],
): { tNs: number[]; vus: number[] } {
  const tNs = [0];
  const vus = [startVUs];
  let from = startVUs;
  let t0 = 0;
  for (const st of stages) {
    const d = sToNs(st.durationS);
    const to = st.target;
    const dir = Math.sign(to - from);
    // The first step away from `from` is at the first integer past it; the last reaches `to`.
    for (let v = from + dir; dir !== 0 && v !== to + dir; v += dir) {
      // Reaching v going up means crossing v; going down means leaving v + 1 (the count is floor/ceil of the ramp).
      const at = dir > 0 ? (v - from) / (to - from) : (from - v) / (from - to);
      tNs.push(t0 + Math.round(d * at));
      vus.push(v);
    }
    t0 += d;
    from = to;
  }
  tNs.push(t0);
  vus.push(0);
  return { tNs, vus };
}

const IDLE = 0; // stopped: beyond the current number of users
const BUSY = 1; // waiting for its request's response (or timeout)
const THINKING = 2; // in its think time

/**
 * Closed-loop virtual users (k6 constant-vus and ramping-vus; `hey -c N`): each user loops
 * request → response (or the client's timeout) → think time → next request. A user's n-th request is logical
 * request `seq = n × maxVUs + user`, so its work and its think time are keyed by (user, iteration), never by
 * the order in which requests ended (common random numbers across variants). Users removed by a ramp-down
 * finish the request in flight and stop (k6's gracefulRampDown, without its interruption after 30 s).
 */
export class VirtualUsers {
  readonly maxVUs: number;
  /** Iterations each user has started. */
  private readonly iteration: Int32Array;
  private readonly state: Uint8Array;
  /** Users that may start a request now. */
  private active = 0;
  private readonly changeAtNs: number[];
  private readonly changeVus: number[];
  private readonly think: DurationSampler;
  private readonly kChange: number;
  private readonly kIterate: number;
  /** Iterations started, in all. */
  iterations = 0;

  constructor(
    private readonly sim: Simulation,
    spec: ClosedLoopArrival,
    private readonly thinkStream: KeyedStream,
    /** Sends logical request `seq` now. */
    private readonly send: (seq: number) => void,
  ) {
    const points =
      spec.process === 'constant-vus' ? { tNs: [0], vus: [spec.vus] } : vuChangePoints(spec.startVUs, spec.stages);
    this.changeAtNs = points.tNs;
    this.changeVus = points.vus;
    this.maxVUs = Math.max(1, ...points.vus);
    this.iteration = new Int32Array(this.maxVUs);
    this.state = new Uint8Array(this.maxVUs);
    this.think = durationSampler(spec.thinkTime, thinkStream);
    this.kChange = sim.registerKind('vus.change', (i) => this.change(i));
    this.kIterate = sim.registerKind('vus.iterate', (vu) => this.iterate(vu));
    for (let i = 0; i < this.changeAtNs.length; i++) sim.scheduleAt(this.changeAtNs[i]!, this.kChange, i);
  }

  /** Users now (the ramp's current value). */
  get vus(): number {
    return this.active;
  }

  /** Users waiting for a response now. */
  busy = 0;

  /** Logical request `seq` ended (answered, or given up on): its user thinks, then goes again. */
  ended(seq: number): void {
    const vu = seq % this.maxVUs;
    this.busy--;
    this.thinkStream.seek(vu, Math.floor(seq / this.maxVUs));
    this.state[vu] = THINKING;
    this.sim.schedule(this.think.sampleNs(), this.kIterate, vu);
  }

  private change(i: number): void {
    const n = this.changeVus[i]!;
    const before = this.active;
    this.active = n;
    for (let vu = before; vu < n; vu++) if (this.state[vu] === IDLE) this.iterate(vu);
  }

  private iterate(vu: number): void {
    if (vu >= this.active) {
      this.state[vu] = IDLE;
      return;
    }
    this.state[vu] = BUSY;
    this.busy++;
    const n = this.iteration[vu]!++;
    this.iterations++;
    this.send(n * this.maxVUs + vu);
  }
}

/**
 * k6 ramping-arrival-rate's start times: iteration i starts when the rate's integral reaches i (evenly spaced
 * at a constant rate, closer together on an upward ramp), the first at time 0; none after the last stage.
 * Within a stage from rate a to b over T, the count is a·t + (b − a)·t²/(2T), solved for t.
 */
export class ArrivalRateSchedule {
  private readonly startNs: number[] = [];
  private readonly fromPerS: number[] = [];
  private readonly toPerS: number[] = [];
  private readonly durS: number[] = [];
  /** Iterations started before each stage (the integral up to its start). */
  private readonly before: number[] = [];
  private next = 0;
  /** Iterations over all the stages. */
  readonly total: number;

  constructor(spec: Extract<Arrival, { process: 'ramping-arrival-rate' }>) {
    let a = spec.startRatePerS;
    let t = 0;
    let n = 0;
    for (const st of spec.stages) {
      this.startNs.push(t);
      this.fromPerS.push(a);
      this.toPerS.push(st.targetPerS);
      this.durS.push(st.durationS);
      this.before.push(n);
      n += ((a + st.targetPerS) / 2) * st.durationS;
      t += sToNs(st.durationS);
      a = st.targetPerS;
    }
    this.total = n;
  }

  /** Iterations the ramps start in [0, tS] (the rate's integral). */
  countUntil(tS: number): number {
    let n = 0;
    for (let k = 0; k < this.startNs.length; k++) {
      const from = this.startNs[k]! / NS_PER_S;
      const T = this.durS[k]!;
      const a = this.fromPerS[k]!;
      const s = Math.min(Math.max(tS - from, 0), T);
      n += a * s + ((this.toPerS[k]! - a) * s * s) / (2 * T);
    }
    return n;
  }

  /** The next iteration's start, ns (Infinity after the last stage). */
  nextNs(): number {
    const i = this.next++;
    for (let k = 0; k < this.startNs.length; k++) {
      const a = this.fromPerS[k]!;
      const b = this.toPerS[k]!;
      const T = this.durS[k]!;
      const x = i - this.before[k]!;
      if (x >= ((a + b) / 2) * T) continue; // past this stage
      const slope = (b - a) / T;
      const s = Math.abs(slope) < 1e-12 ? x / a : (-a + Math.sqrt(Math.max(0, a * a + 2 * slope * x))) / slope;
      return this.startNs[k]! + Math.round(s * NS_PER_S);
    }
    return Infinity;
  }
}
