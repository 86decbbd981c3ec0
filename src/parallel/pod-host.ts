import { RandomStreams } from '../engine/random.js';
import { GMP_COLUMNS } from '../runtime/gmp/report.js';
import type { PodRuntime, RuntimeSettings } from '../runtime/pod-runtime.js';
import { Warmup } from '../runtime/warmup.js';
import type { Runtime, Scenario } from '../scenario/schema.js';
import { PodNetwork } from '../sim/faults.js';
import { liveMaxProcsOf, podRuntime } from '../sim/fleet.js';
import { RequestTable } from '../workload/requests.js';
import { COMPLETED, DRAINED, PodEngines } from './pod-engines.js';

/**
 * What the coordinator reads of a pod at a barrier, each with its name beside how it is read: the pod
 * view's values (src/parallel/pod-threads.ts), read on the worker after each window and after each
 * barrier's writes. The runtime's own columns (GMP_COLUMNS) follow these, then nothing else.
 */
export const VIEW_FIELDS = [
  { name: 'busyIntegralNs', read: (rt: PodRuntime) => rt.busyIntegralNs() },
  { name: 'runnable', read: (rt: PodRuntime) => rt.runnable() },
  { name: 'running', read: (rt: PodRuntime) => rt.running() },
  { name: 'goroutines', read: (rt: PodRuntime) => rt.goroutines() },
  { name: 'gomaxprocs', read: (rt: PodRuntime) => rt.gomaxprocs },
  { name: 'memoryBytes', read: (rt: PodRuntime) => rt.memoryBytes?.() ?? 0 },
  { name: 'gcCpuIntegralNs', read: (rt: PodRuntime) => rt.gcCpuIntegralNs?.() ?? 0 },
  { name: 'gcPauseIntegralNs', read: (rt: PodRuntime) => rt.gcPauseIntegralNs?.() ?? 0 },
  { name: 'netpollTaken', read: (rt: PodRuntime) => rt.netpollDelay?.().taken ?? 0 },
  { name: 'netpollDelayNs', read: (rt: PodRuntime) => rt.netpollDelay?.().delayNs ?? 0 },
] as const;
export type ViewField = (typeof VIEW_FIELDS)[number]['name'];
/** A field's index in a pod's row (after the pod's index, in-flight and completed counts). */
export const FIELD: Record<ViewField, number> = Object.fromEntries(
  VIEW_FIELDS.map((f, i) => [f.name, 3 + i]),
) as Record<ViewField, number>;
/** Values per pod in a view message: pod index, in flight, completed, VIEW_FIELDS, the runtime's columns. */
export function viewStride(scenario: Scenario): number {
  return 3 + VIEW_FIELDS.length + runtimeColumns(scenario);
}
/** The runtime's own time-series columns (GmpPod: GMP_COLUMNS, no dependencies in a windowed run; ideal-fifo: none). */
export function runtimeColumns(scenario: Scenario): number {
  return scenario.runtime.scheduler === 'gmp' ? GMP_COLUMNS.length : 0;
}
/** Values per record in a ran message: pod, time, id, tag, the request's start (NaN: not started), outcome. */
export const RECORD_STRIDE = 6;

/** A barrier's write to a pod, applied on its worker in the order the coordinator made them. */
export type PodCommand =
  | { op: 'create'; k: number; tNs: number; rt: Runtime; initial: boolean }
  | { op: 'stop'; k: number }
  | { op: 'settings'; k: number; settings: RuntimeSettings }
  | { op: 'sampleStart'; k: number }
  | { op: 'pod'; k: number; readyNs: number; terminating: boolean };

/** What the coordinator asks a pod host. */
export type HostRequest =
  | {
      op: 'run';
      commands: PodCommand[];
      /** Run every pod's events through untilNs; then its clock reads nowNs. */
      untilNs: number;
      nowNs: number;
      /**
       * The slice's routed arrivals, (pod, id, seq, time, draw key, work, arrival) each: read while the
       * request is handled, never kept (the coordinator reuses the buffer).
       */
      arrivals: Float64Array;
      /** The slice's number (1, 2, …): it runs once every host has run the one before (`gate`). */
      seq: number;
      /** The pods' barrier values are wanted after it (else the answer's view is empty). */
      view: boolean;
    }
  | {
      /**
       * Once, before any slice: the run's shared gate and this host's place in it. [0]: the first slice in
       * which a pod failed (0: none yet); [1 + h]: the last slice host h has finished.
       */
      op: 'gate';
      gate: Int32Array;
      host: number;
    }
  | { op: 'flush'; commands: PodCommand[] }
  | { op: 'summary'; commands: PodCommand[]; k: number }
  | { op: 'close' };

/** A pod's Go fatal error (or a bug) in a window: where, and what, as the one-thread run reports it. */
export interface HostFailure {
  tNs: number;
  k: number;
  name: string;
  message: string;
  stack: string | undefined;
}

/** What a pod host answers. */
export type HostReply =
  | {
      op: 'ran';
      /** Not run: a pod failed in an earlier slice (on any host), so the run ended there. */
      skipped: boolean;
      /**
       * The slice's records (RECORD_STRIDE values each), a view of the host's buffer for the slice's parity:
       * valid until the slice two on is run, by which time the coordinator has heard them.
       */
      records: Float64Array;
      view: Float64Array;
      events: number;
      delivered: number;
      failure: HostFailure | undefined;
    }
  | { op: 'flushed'; view: Float64Array }
  | { op: 'summary'; summary: unknown }
  | { op: 'error'; message: string; stack: string | undefined };

/** What a pod host is built from: the model's inputs only (it draws pod k's streams as the run does). */
export interface HostInit {
  scenario: Scenario;
  seed: number;
}

/** A pod's cluster side, as `Deployment.deliverNow` and `Deployment.completed` keep it on the pod's engine. */
interface HostPod {
  runtime: PodRuntime;
  inFlight: number;
  completed: number;
  terminating: boolean;
  gone: boolean;
  readyNs: number;
}

/**
 * The pods a worker thread owns (issue 24 item 6, step 3): each built from the model's inputs as PodFleet
 * builds it (podRuntime: pod k draws from `rng.forEntity('pod-k')`, pod 0 from the run's streams), each on
 * its own engine (PodEngines), fed the coordinator's routed arrivals and barrier writes, answering with
 * its records and every pod's barrier values. A request's fields live in a RequestTable mirror at the
 * coordinator's id: an id is released, so reused, only at a barrier, after its pod's record was heard.
 * Pure model code: the transport (a worker thread, or a call on this thread in tests) is the caller's.
 */
export class PodHost {
  private readonly clock = { now: 0 };
  private readonly engines = new PodEngines(this.clock);
  private readonly requests: RequestTable;
  private readonly rng: RandomStreams;
  private readonly pods: HostPod[] = [];
  private readonly scenario: Scenario;
  private readonly stride: number;
  private readonly jitter;
  /** The run's gate (see the 'gate' request) and this host's index in it; undefined: no gate (tests). */
  private gate: Int32Array | undefined;
  private hostIndex = 0;
  /**
   * The records of slice `seq` are written to out[seq & 1], and the answer is a view of them. Two, kept
   * across slices: the coordinator hears slice s (reads its records) before it sends slice s + 2, the next
   * to write the same buffer (at most two slices are in flight: Experiment.window). Grown from 256 records
   * every slice, then copied out, they cost ~1.5 MB of allocation and copying a slice in the fleet bench
   * (~10,000 records): the host's drain took 0.20-0.26 CPU-s at 300 simulated s, 0.10-0.14 once kept
   * (bench/host-replay.ts main with GMPSIM_REPLAY_PARTS=1, 3 interleaved pairs).
   */
  private readonly out = [new Float64Array(RECORD_STRIDE * 256), new Float64Array(RECORD_STRIDE * 256)];

  constructor(init: HostInit) {
    const s = init.scenario;
    this.scenario = s;
    this.rng = new RandomStreams(init.seed);
    this.requests = new RequestTable(1024, s.runtime.scheduler === 'ideal-fifo');
    this.jitter = this.rng.keyed('fault.network-jitter');
    this.stride = viewStride(s);
    this.engines.attach(this);
  }

  /** One request, one answer (undefined: none, for close). */
  handle(m: HostRequest): HostReply | undefined {
    switch (m.op) {
      case 'run':
        return this.slice(m);
      case 'gate':
        this.gate = m.gate;
        this.hostIndex = m.host;
        return undefined;
      case 'flush':
        this.apply(m.commands);
        return { op: 'flushed', view: this.view() };
      case 'summary':
        this.apply(m.commands);
        return { op: 'summary', summary: this.pods[m.k]?.runtime.summary?.() };
      case 'close':
        return undefined;
      default: {
        const never: never = m;
        throw new Error(`unknown pod host request ${JSON.stringify(never)}`);
      }
    }
  }

  /** A barrier's writes, in the coordinator's order (writes to different pods commute; to one, they do not). */
  private apply(commands: readonly PodCommand[]): void {
    for (const c of commands) {
      switch (c.op) {
        case 'create':
          this.create(c.k, c.tNs, c.rt, c.initial);
          break;
        case 'stop': {
          const p = this.pods[c.k]!;
          p.gone = true;
          p.runtime.stop?.();
          break;
        }
        case 'settings':
          this.pods[c.k]!.runtime.applySettings?.(c.settings);
          break;
        case 'sampleStart':
          this.pods[c.k]!.runtime.sampleStart?.();
          break;
        case 'pod': {
          const p = this.pods[c.k]!;
          p.readyNs = c.readyNs;
          p.terminating = c.terminating;
          break;
        }
        default: {
          const never: never = c;
          throw new Error(`unknown pod command ${JSON.stringify(never)}`);
        }
      }
    }
  }

  /** Pod k's container, made at tNs as PodFleet makes it (an initial replica is Ready, and warm, at 0). */
  private create(k: number, tNs: number, rt: Runtime, initial: boolean): void {
    this.clock.now = tNs;
    const sim = this.engines.sim(k);
    const s = this.scenario;
    const wcfg = s.cluster.pod.warmup;
    const net = { extraNs: 0, jitterNs: 0, lossFraction: 0 }; // no faults in a windowed run
    const pod: HostPod = {
      runtime: undefined as unknown as PodRuntime,
      inFlight: 0,
      completed: 0,
      terminating: false,
      gone: false,
      readyNs: initial ? 0 : NaN,
    };
    this.pods[k] = pod;
    const sink = { complete: (id: number) => this.completed(k, id) };
    pod.runtime = podRuntime(
      k,
      {
        sim,
        requests: this.requests,
        rt,
        steps: s.workload.request.steps,
        rng: this.rng,
        network: new PodNetwork(net, this.jitter),
        cpu: { slowdown: 1 },
        service: undefined,
        cpuShare: undefined,
        warmup: wcfg && new Warmup(wcfg, sim, () => pod.readyNs, initial),
        maxProcs: Math.max(rt.gomaxprocs, liveMaxProcsOf(s)),
      },
      sink,
    );
  }

  /** Deployment.deliverNow on the pod's engine: accepted, or refused when its accept queue is full. */
  deliverNow(k: number, id: number): boolean {
    const pod = this.pods[k]!;
    // Refused: the coordinator counts it (Deployment.overloaded) when it hears the record.
    if (pod.inFlight >= this.scenario.cluster.pod.maxInFlightRequests) return false;
    pod.inFlight++;
    pod.runtime.accept(id);
    return true;
  }

  /** Deployment.completed on the pod's engine: the pod's part now, the cluster's at the barrier. */
  private completed(k: number, id: number): void {
    const pod = this.pods[k]!;
    if (pod.gone) return; // a killed pod's requests were already reported lost
    pod.inFlight--;
    pod.completed++;
    const drained = pod.terminating && pod.inFlight === 0;
    if (drained) pod.runtime.stop?.();
    this.engines.record(k, id, drained ? DRAINED : COMPLETED);
  }

  /**
   * A slice, once every host has finished the one before (the coordinator may have sent it before it
   * heard that one: the hosts then run on while it works). If a pod failed in an earlier slice on any
   * host, the run ended there: nothing is run, so every pod stays where a one-thread run leaves it.
   */
  private slice(m: Extract<HostRequest, { op: 'run' }>): HostReply {
    const g = this.gate;
    if (g !== undefined) {
      const hosts = g.length - 1;
      for (let h = 0; h < hosts; h++) {
        // On a worker thread: wait for the others. On this thread (tests) the others already ran it.
        for (let v = Atomics.load(g, 1 + h); v < m.seq - 1; v = Atomics.load(g, 1 + h)) Atomics.wait(g, 1 + h, v, 1000);
      }
      const failed = Atomics.load(g, 0);
      if (failed !== 0 && failed < m.seq) return this.done(m.seq, this.skippedReply());
    }
    this.apply(m.commands);
    const r = this.run(m.untilNs, m.nowNs, m.arrivals, m.view, m.seq & 1);
    if (g !== undefined && r.op === 'ran' && r.failure) Atomics.compareExchange(g, 0, 0, m.seq);
    return this.done(m.seq, r);
  }

  /** Slice `seq` is finished here (the others may run the next). */
  private done(seq: number, r: HostReply): HostReply {
    const g = this.gate;
    if (g !== undefined) {
      Atomics.store(g, 1 + this.hostIndex, seq);
      Atomics.notify(g, 1 + this.hostIndex);
    }
    return r;
  }

  private skippedReply(): HostReply {
    return {
      op: 'ran',
      skipped: true,
      records: new Float64Array(0),
      view: new Float64Array(0),
      events: this.engines.eventsProcessed(),
      delivered: this.engines.delivered,
      failure: undefined,
    };
  }

  private run(untilNs: number, nowNs: number, arrivals: Float64Array, view: boolean, parity: number): HostReply {
    const req = this.requests;
    for (let o = 0; o < arrivals.length; o += 7) {
      const id = arrivals[o + 1]!;
      req.place(id, arrivals[o + 6]!, arrivals[o + 5]!, arrivals[o + 4]!);
      this.engines.deliver(arrivals[o]!, id, arrivals[o + 2]!, arrivals[o + 3]!);
    }
    let failure: HostFailure | undefined;
    try {
      this.engines.runSlice(untilNs, nowNs);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      const k = this.engines.failedPod ?? -1;
      failure = { tNs: this.engines.failedAtNs ?? nowNs, k, name: err.name, message: err.message, stack: err.stack };
    }
    let n = 0;
    let out = this.out[parity]!;
    if (failure === undefined) {
      this.engines.drain((tNs, k, id, tag) => {
        if (n + RECORD_STRIDE > out.length) {
          const g = new Float64Array(out.length * 2);
          g.set(out);
          this.out[parity] = out = g;
        }
        out[n] = k;
        out[n + 1] = tNs;
        out[n + 2] = id;
        out[n + 3] = tag;
        out[n + 4] = req.startNs[id]!;
        out[n + 5] = req.outcome[id]!;
        n += RECORD_STRIDE;
      });
    }
    return {
      op: 'ran',
      skipped: false,
      records: out.subarray(0, n),
      view: view ? this.view() : new Float64Array(0),
      events: this.engines.eventsProcessed(),
      delivered: this.engines.delivered,
      failure,
    };
  }

  /** Every pod's barrier values, a row of `stride` each (a pod not made yet has no row). */
  private view(): Float64Array {
    const rows: HostPod[] = [];
    const ks: number[] = [];
    this.pods.forEach((p, k) => {
      rows.push(p);
      ks.push(k);
    });
    const st = this.stride;
    const v = new Float64Array(rows.length * st);
    for (let r = 0; r < rows.length; r++) {
      const p = rows[r]!;
      const o = r * st;
      v[o] = ks[r]!;
      v[o + 1] = p.inFlight;
      v[o + 2] = p.completed;
      for (let i = 0; i < VIEW_FIELDS.length; i++) v[o + 3 + i] = VIEW_FIELDS[i]!.read(p.runtime);
      const cols = p.runtime.columns;
      if (cols) for (let i = 0; i < cols.length; i++) v[o + 3 + VIEW_FIELDS.length + i] = cols[i]!.read();
    }
    return v;
  }
}
