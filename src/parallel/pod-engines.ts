import { grow } from '../engine/grow.js';
import { Simulation } from '../engine/simulation.js';

/** A pod's record for the barrier: its request completed (tag COMPLETED, or DRAINED when it was the last). */
export const COMPLETED = -1;
/** The completion that drained a terminating pod: its container exited then, on the pod's engine. */
export const DRAINED = -2;
// A tag >= 0 is a refused attempt (the pod's accept queue was full), and the tag is its logical request.

/** What the pods' side of a windowed run needs from the cluster: deliver a routed request into a pod. */
export interface PodDelivery {
  /** Pod `podIndex` takes request `id` now (on its own engine); false when it refuses it (queue full). */
  deliverNow(podIndex: number, id: number): boolean;
}

/**
 * What the coordinator drives of a windowed run's pods, on this thread (PodEngines) or on worker threads
 * (src/parallel/pod-threads.ts): route into them, run them to a barrier, hear what they did, in one order.
 */
export interface WindowEngines {
  /** Pods on other threads: the Deployment keeps the cluster's side of each request (pod-threads.ts). */
  readonly remote: boolean;
  /** Requests delivered into pods (each an event on a pod's engine). */
  readonly delivered: number;
  /** When a pod's event threw: that pod's clock. */
  readonly failedAtNs: number | undefined;
  attach(delivery: PodDelivery): void;
  deliver(k: number, id: number, seq: number, tNs: number): void;
  record(k: number, id: number, tag: number): void;
  /**
   * A slice of a window, sent with the arrivals delivered since the last one: every pod's events through
   * `untilNs`, then its clock reads `nowNs` (untilNs = nowNs − 1 before a barrier). `view`: the pods'
   * barrier values are wanted after it (the window's last slice, or every slice of an unpipelined window).
   * It may run at once, later, or (worker threads) while this thread goes on; `finish` waits for it.
   */
  start(untilNs: number, nowNs: number, view: boolean): void;
  /** The oldest slice started has run: its records are ready for `drain` (a pod's error is thrown here). */
  finish(): void;
  drain(take: (tNs: number, podIndex: number, id: number, tag: number) => void): void;
  eventsProcessed(): number;
  /** Workers ended (every exit path: the run's end, a fatal error, an exception). */
  close(): void;
}

/**
 * Each pod on an engine of its own (issue 24 item 6, step 1: still one thread). The coordinator routes a
 * window's arrivals ahead (`deliver`), runs every pod's engine up to the window's end (`start`/`finish`
 * slice by slice; a worker's host: `runSlice`), then takes what the pods did in a fixed order (`drain`): by
 * time, then pod index, then the pod's own order, so the result cannot depend on how pods are grouped or
 * on which thread ran them.
 * A pod keeps its engine across container restarts; a pod made mid-run starts its engine at that instant.
 */
export class PodEngines implements WindowEngines {
  readonly remote = false;
  private readonly sims: Simulation[] = [];
  private readonly deliverKinds: number[] = [];
  /**
   * Per pod: its records since the last drain, as (time, id, tag) triples in its own order, in a buffer
   * kept across windows (a plain array emptied by `length = 0` dropped its store and grew it again from
   * nothing every window: ~70 bytes of garbage a request); `counts[k]` is the number of values used.
   */
  private readonly records: Float64Array[] = [];
  private counts = new Int32Array(64);
  private delivery: PodDelivery | undefined;
  /** Requests delivered into pods (each an event on a pod's engine; the sequential run counts arrivals instead). */
  delivered = 0;
  /** drain's scratch: records per time bucket, then each merged record's time, pod and offset. */
  private bucketAt = new Int32Array(64);
  private mergedT = new Float64Array(64);
  private mergedPod = new Int32Array(64);
  private mergedOff = new Int32Array(64);
  private drained = new Int32Array(64);

  constructor(
    private readonly clock: { readonly now: number },
    /**
     * Groups the pods are run in, pod k in group k mod `groups`, group after group (as workers would own
     * them). The result does not depend on it: tests run 1, 2 and 3 groups and compare the files.
     */
    private readonly groups = 1,
  ) {}

  /** The cluster side that takes delivered requests (set once the Deployment exists). */
  attach(delivery: PodDelivery): void {
    this.delivery = delivery;
  }

  /** Pod k's record buffer, made the first time it is needed. */
  private buffer(k: number): void {
    if (this.records[k] !== undefined) return;
    this.records[k] = new Float64Array(3 * 64);
    if (k >= this.counts.length)
      this.counts = grow(this.counts, new Int32Array(Math.max(k + 1, this.counts.length * 2)));
  }

  /** Pod k's engine, made at the coordinator's instant the first time the pod needs one. */
  sim(k: number): Simulation {
    let s = this.sims[k];
    if (s === undefined) {
      s = new Simulation();
      s.now = this.clock.now;
      this.buffer(k);
      this.deliverKinds[k] = s.registerKind('workload.arrival-delivered', (id, seq) => {
        this.delivered++;
        if (!this.delivery!.deliverNow(k, id)) this.push(k, s!.now, id, seq);
      });
      s.markHot(this.deliverKinds[k]!); // one event a request (Simulation.markHot)
      this.sims[k] = s;
    }
    return s;
  }

  /**
   * Request `id` (logical request `seq`) reaches pod k at tNs, on the pod's engine, once its slice runs
   * (`finish`, or `runSlice`, which places every arrival delivered so far). postInOrder: a
   * pod's arrivals come in time order, so they skip the ladder's sorting (and need no handle).
   */
  deliver(k: number, id: number, seq: number, tNs: number): void {
    let a = this.pending;
    const o = this.pendingCount;
    if (o + 4 > a.length) this.pending = a = grow(a, new Float64Array(a.length * 2));
    a[o] = k;
    a[o + 1] = id;
    a[o + 2] = seq;
    a[o + 3] = tNs;
    this.pendingCount = o + 4;
  }

  /** Pod k's engine finished something the cluster must hear of at the barrier (COMPLETED or DRAINED). */
  record(k: number, id: number, tag: number): void {
    this.push(k, this.sims[k]!.now, id, tag);
  }

  /** A record pod k made elsewhere (on a worker thread) at tNs: merged by `drain` with the others. */
  recordAt(k: number, tNs: number, id: number, tag: number): void {
    this.buffer(k);
    this.push(k, tNs, id, tag);
  }

  /** Nothing to end: the engines are this thread's. */
  close(): void {}

  /** Append the record (tNs, id, tag) to pod k's buffer, doubling it when full. */
  private push(k: number, tNs: number, id: number, tag: number): void {
    let r = this.records[k]!;
    const o = this.counts[k]!;
    if (o + 3 > r.length) this.records[k] = r = grow(r, new Float64Array(r.length * 2));
    r[o] = tNs;
    r[o + 1] = id;
    r[o + 2] = tag;
    this.counts[k] = o + 3;
  }

  /** The first error a pod's event threw (a Go fatal error), by (time, pod index); undefined: none. */
  private failure: { tNs: number; k: number; error: unknown } | undefined;

  /** When a pod's event threw: that pod's clock. */
  get failedAtNs(): number | undefined {
    return this.failure?.tNs;
  }

  /** Which pod's event threw first (by time, then pod index). */
  get failedPod(): number | undefined {
    return this.failure?.k;
  }

  /**
   * Routed arrivals not yet on their pods' engines, (pod, id, seq, time) each: a slice's go onto the
   * engines when it runs, as a worker's host places them, so the pods' tie order cannot depend on how far
   * ahead the coordinator routed. `slices` holds each started slice's (until, now, end of its arrivals).
   */
  private pending = new Float64Array(4 * 1024);
  private pendingCount = 0;
  private pendingFrom = 0;
  private slices: number[] = [];

  /** A slice, run when `finish` asks for it (the coordinator routes the next one first, as on threads). */
  start(untilNs: number, nowNs: number): void {
    this.slices.push(untilNs, nowNs, this.pendingCount);
  }

  /** The oldest slice started: its arrivals onto their engines, then every pod through it. */
  finish(): void {
    const [untilNs, nowNs, end] = this.slices.splice(0, 3) as [number, number, number];
    this.place(end);
    this.run(untilNs, nowNs);
  }

  /** The routed arrivals up to offset `end` onto their pods' engines. */
  private place(end: number): void {
    const a = this.pending;
    for (let o = this.pendingFrom; o < end; o += 4) {
      const s = this.sims[a[o]!]!;
      s.nextTime = a[o + 3]!;
      s.postInOrder(this.deliverKinds[a[o]!]!, a[o + 1]!, a[o + 2]!);
    }
    this.pendingFrom = end;
    if (end === this.pendingCount && this.slices.length === 0) this.pendingCount = this.pendingFrom = 0;
  }

  /**
   * Every arrival delivered so far onto its pod's engine, then every pod's events through `untilNs`; their
   * clocks then read `nowNs` (a barrier's instant: untilNs = nowNs − 1; a slice's end that is none: equal).
   */
  runSlice(untilNs: number, nowNs: number): void {
    this.place(this.pendingCount);
    this.run(untilNs, nowNs);
  }

  /**
   * Every pod's engine through `untilNs`, group after group; then its clock reads `nowNs`. A pod whose
   * event throws stops there; the others still run the whole window, and the first error by (time, pod
   * index) is thrown at the end, so what every pod did cannot depend on the grouping.
   */
  private run(untilNs: number, nowNs: number): void {
    const sims = this.sims;
    for (let g = 0; g < this.groups; g++) {
      for (let k = g; k < sims.length; k += this.groups) {
        const s = sims[k];
        if (s === undefined) continue;
        try {
          s.runUntil(untilNs);
          s.now = nowNs;
        } catch (error) {
          const f = this.failure;
          if (f === undefined || s.now < f.tNs || (s.now === f.tNs && k < f.k)) {
            this.failure = { tNs: s.now, k, error };
          }
        }
      }
    }
    if (this.failure) throw this.failure.error;
  }

  /** Events every pod's engine dispatched. */
  eventsProcessed(): number {
    let n = 0;
    for (const s of this.sims) if (s !== undefined) n += s.eventsProcessed;
    return n;
  }

  /**
   * Every pod's records since the last drain, merged by (time, pod index, the pod's own order), each
   * handed to `take`; the buffers are then empty. A bucket sort over the window's time span: the records
   * are counted into as many time buckets as there are records (bucket = ⌊(t − first) × scale⌋ rises
   * with t, so an earlier bucket holds only earlier times), placed pod by pod in index order and each pod's
   * in its own order, then a stable insertion sort by time alone orders each bucket's few records, which
   * keeps (pod, own order) among equal times. ~2 passes a record where the k-way merge's heap (issue 24's
   * previous round) paid ~4 levels of two comparisons each, mispredicted as often as not.
   */
  drain(take: (tNs: number, podIndex: number, id: number, tag: number) => void): void {
    const recs = this.records;
    const counts = this.counts;
    let m = 0;
    let first = Infinity;
    let last = -Infinity;
    for (let k = 0; k < recs.length; k++) {
      const c = recs[k] === undefined ? 0 : counts[k]!;
      if (c === 0) continue;
      m += c / 3;
      const r = recs[k]!;
      if (r[0]! < first) first = r[0]!;
      if (r[c - 3]! > last) last = r[c - 3]!;
    }
    if (m === 0) return;
    if (this.mergedT.length < m) {
      const cap = Math.max(m, 2 * this.mergedT.length);
      this.bucketAt = new Int32Array(cap + 1);
      this.mergedT = new Float64Array(cap);
      this.mergedPod = new Int32Array(cap);
      this.mergedOff = new Int32Array(cap);
    }
    if (this.drained.length < recs.length) this.drained = new Int32Array(2 * recs.length);
    const at = this.bucketAt;
    const ts = this.mergedT;
    const pods = this.mergedPod;
    const offs = this.mergedOff;
    const drained = this.drained;
    const scale = last > first ? (m - 1) / (last - first) : 0;
    at.fill(0, 0, m + 1);
    for (let k = 0; k < recs.length; k++) {
      const c = recs[k] === undefined ? 0 : counts[k]!;
      drained[k] = c;
      const r = recs[k]!;
      for (let o = 0; o < c; o += 3) at[Math.floor((r[o]! - first) * scale) + 1]!++;
    }
    for (let b = 1; b <= m; b++) at[b]! += at[b - 1]!;
    for (let k = 0; k < recs.length; k++) {
      const c = drained[k]!;
      const r = recs[k]!;
      for (let o = 0; o < c; o += 3) {
        const t = r[o]!;
        const i = at[Math.floor((t - first) * scale)]!++;
        ts[i] = t;
        pods[i] = k;
        offs[i] = o;
      }
    }
    // Stable insertion sort by time: nothing moves past a bucket's start (earlier buckets are earlier).
    for (let i = 1; i < m; i++) {
      const t = ts[i]!;
      if (!(ts[i - 1]! > t)) continue;
      const k = pods[i]!,
        o = offs[i]!;
      let j = i - 1;
      while (j >= 0 && ts[j]! > t) {
        ts[j + 1] = ts[j]!;
        pods[j + 1] = pods[j]!;
        offs[j + 1] = offs[j]!;
        j--;
      }
      ts[j + 1] = t;
      pods[j + 1] = k;
      offs[j + 1] = o;
    }
    for (let i = 0; i < m; i++) {
      const r = recs[pods[i]!]!;
      const o = offs[i]!;
      take(ts[i]!, pods[i]!, r[o + 1]!, r[o + 2]!);
    }
    // Emptied; a record pushed while they were heard (none is today) stays for the next drain.
    for (let k = 0; k < recs.length; k++) {
      const c = drained[k]!;
      if (c === 0) continue;
      const left = counts[k]! - c;
      if (left > 0) recs[k]!.copyWithin(0, c, c + left);
      counts[k] = left;
    }
  }
}
