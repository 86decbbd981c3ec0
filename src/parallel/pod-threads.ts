import type { ClusterPod } from '../cluster/cluster-pod.js';
import { GMP_COLUMNS, type GmpSummary } from '../runtime/gmp/report.js';
import { GoFatalError } from '../runtime/gmp/sched-config.js';
import type { Column, PodRuntime, RuntimeSettings } from '../runtime/pod-runtime.js';
import type { Runtime, Scenario } from '../scenario/schema.js';
import type { RequestTable } from '../workload/requests.js';
import type { PodDelivery, WindowEngines } from './pod-engines.js';
import {
  FIELD,
  type HostFailure,
  type HostInit,
  type HostReply,
  type HostRequest,
  type PodCommand,
  PodHost,
  RECORD_STRIDE,
  VIEW_FIELDS,
  viewStride,
} from './pod-host.js';

/**
 * One pod host, reached synchronously: `send` queues a request, `receive` blocks until its answer. A worker
 * thread (src/parallel/worker-transport.ts: a MessagePort, woken with Atomics.notify) or, in tests, a
 * PodHost called on this thread.
 */
export interface PodTransport {
  /**
   * The host answers within `send`, on this thread (HostOnThisThread): a slice is sent to it after the
   * worker threads', so that they run while it does.
   */
  readonly here?: boolean;
  /** Its share of the pods, relative to the other hosts' (default 1). */
  readonly weight?: number;
  send(m: HostRequest): void;
  receive(): HostReply;
  close(): void;
}

const EMPTY = new Float64Array(0);

/**
 * Whether a write changes what a view reads at the same barrier (then the pod's host is asked before the
 * next read; otherwise the write just goes with the next request). A pod's Ready instant and terminating
 * flag are read on its engine only (warm-up, the drain rule); sampleStart only notes the peak RSS (OOM is
 * a container memory limit's, which keeps a run on one engine), read in pod 0's summary, which is asked
 * for after every queued write. So a time-series sample costs no round trip.
 */
const STALES_VIEW: Record<PodCommand['op'], boolean> = {
  create: true,
  stop: true,
  settings: true,
  sampleStart: false,
  pod: false,
};

/** The cluster side the pods' barrier values are written back to: each pod's in-flight and completed counts. */
type Pods = PodDelivery & { readonly pods: readonly ClusterPod[] };

/**
 * A windowed run's pods on worker threads (issue 24 item 6, step 3). Pod k lives on host k mod W, built
 * there from the model's inputs; this side keeps routing, the RequestTable's ids, samples, scrapes,
 * syncs and the pods' lifecycle. Each window: the routed arrivals and the barrier's writes go to every
 * host at once, the hosts run their pods in parallel, and each answers with its pods' records (merged
 * here in (time, pod, own order), as PodEngines merges them) and every pod's barrier values, which the
 * pods' views (PodView) return. A write at a barrier (a pod made, stopped, sampled, given new settings)
 * is queued; a read of that pod afterwards at the same barrier asks its host first (one round trip per
 * host), so reads and writes keep the one-thread order and the thread count changes nothing.
 */
export class ThreadedPods implements WindowEngines {
  readonly remote = true;
  /** Slices sent and not yet finished; the last slice's number (the hosts' gate orders them). */
  private inFlight = 0;
  private seq = 0;
  /** Slices sent while another was in flight (the hosts ran on while this side worked): tests read it. */
  pipelined = 0;
  delivered = 0;
  failedAtNs: number | undefined;
  /** Each host's records of the last window, already in (time, pod, own order): `drain` merges them. */
  private ran: Float64Array[];
  private readonly commands: PodCommand[][];
  private readonly arrivals: Float64Array[];
  private readonly arrivalCount: Int32Array;
  private readonly events: number[];
  private readonly hostDelivered: number[];
  /** Pod k's barrier values (a row of viewStride), and whether a write since makes them stale. */
  private readonly rows: Float64Array[] = [];
  private dirty = new Uint8Array(64);
  private readonly stride: number;
  private pods: Pods | undefined;
  private closed = false;
  /** Pod k lives on host cycle[k mod cycle.length] (each host's share is its weight). */
  private readonly cycle: Int32Array;
  /** The hosts in the order a slice is sent: worker threads first, then hosts on this thread. */
  private readonly sendOrder: number[];

  constructor(
    private readonly clock: { now: number },
    scenario: Scenario,
    private readonly requests: RequestTable,
    private readonly hosts: readonly PodTransport[],
  ) {
    this.ran = hosts.map(() => new Float64Array(0));
    this.commands = hosts.map(() => []);
    this.arrivals = hosts.map(() => new Float64Array(7 * 1024));
    this.arrivalCount = new Int32Array(hosts.length);
    this.events = hosts.map(() => 0);
    this.hostDelivered = hosts.map(() => 0);
    this.stride = viewStride(scenario);
    this.cycle = weightedCycle(hosts.map((t) => t.weight ?? 1));
    this.sendOrder = [...hosts.keys()].sort((a, b) => Number(!!hosts[a]!.here) - Number(!!hosts[b]!.here));
    const gate = new Int32Array(new SharedArrayBuffer(4 * (1 + hosts.length)));
    for (const [h, t] of hosts.entries()) t.send({ op: 'gate', gate, host: h });
  }

  /** Workers in use. */
  get threads(): number {
    return this.hosts.length;
  }

  attach(delivery: PodDelivery): void {
    this.pods = delivery as Pods;
  }

  private host(k: number): number {
    return this.cycle[k % this.cycle.length]!;
  }

  /** Pod k's runtime, made on its host at the coordinator's instant; here a view of it. */
  remotePod(k: number, rt: Runtime, initial: boolean): PodRuntime {
    this.write({ op: 'create', k, tNs: this.clock.now, rt, initial });
    return rt.scheduler === 'gmp' ? new GmpPodView(this, k) : new PodView(this, k);
  }

  /** A barrier's write to pod k, applied on its host before anything else is read of it or run. */
  write(c: PodCommand): void {
    this.between('a write to');
    this.commands[this.host(c.k)]!.push(c);
    if (!STALES_VIEW[c.op]) return;
    if (c.k >= this.dirty.length) {
      const g = new Uint8Array(Math.max(c.k + 1, this.dirty.length * 2));
      g.set(this.dirty);
      this.dirty = g;
    }
    this.dirty[c.k] = 1;
  }

  podChanged(pod: ClusterPod): void {
    this.write({ op: 'pod', k: pod.index, readyNs: pod.readyNs, terminating: pod.terminating });
  }

  /** Value `i` of pod k's row, as of now: after a write, its host is asked first. */
  value(k: number, i: number): number {
    this.between('a read of');
    if (this.dirty[k] === 1) this.flush(this.host(k));
    return this.rows[k]![i]!;
  }

  /** Pod k's summary block (the first pod's is reported), read on its host. */
  summary(k: number): unknown {
    this.between('a read of');
    const h = this.host(k);
    this.hosts[h]!.send({ op: 'summary', commands: this.take(h), k });
    const r = this.expect(h, 'summary');
    return r.summary;
  }

  /**
   * Pods are read and written only between slices: while one is in flight the hosts are past the instant
   * the coordinator is at (a pipelined window hears nothing that reads or writes a pod: no pod drains).
   */
  private between(what: string): void {
    if (this.inFlight > 0) throw new Error(`${what} a pod while a slice is in flight on its worker (a bug)`);
  }

  private take(h: number): PodCommand[] {
    const c = this.commands[h]!;
    this.commands[h] = [];
    return c;
  }

  private flush(h: number): void {
    this.hosts[h]!.send({ op: 'flush', commands: this.take(h) });
    this.views(this.expect(h, 'flushed').view);
  }

  private expect<T extends HostReply['op']>(h: number, op: T): Extract<HostReply, { op: T }> {
    const r = this.hosts[h]!.receive();
    if (r.op === 'error') throw new Error(`pod worker ${h}: ${r.stack ?? r.message}`);
    if (r.op !== op) throw new Error(`pod worker ${h}: expected ${op}, got ${r.op}`);
    return r as Extract<HostReply, { op: T }>;
  }

  /** Store a host's pods' rows (their values now). */
  private views(v: Float64Array): void {
    const st = this.stride;
    for (let o = 0; o < v.length; o += st) {
      const k = v[o]!;
      this.rows[k] = v.subarray(o, o + st);
      this.dirty[k] = 0;
    }
  }

  deliver(k: number, id: number, seq: number, tNs: number): void {
    const h = this.host(k);
    let a = this.arrivals[h]!;
    const o = this.arrivalCount[h]!;
    if (o + 7 > a.length) {
      const g = new Float64Array(a.length * 2);
      g.set(a);
      this.arrivals[h] = a = g;
    }
    const r = this.requests;
    a[o] = k;
    a[o + 1] = id;
    a[o + 2] = seq;
    a[o + 3] = tNs;
    a[o + 4] = r.drawKey[id]!;
    a[o + 5] = r.workNs.length > id ? r.workNs[id]! : 0;
    a[o + 6] = r.arrivalNs[id]!;
    this.arrivalCount[h] = o + 7;
  }

  record(): void {
    throw new Error('a pod on a worker thread records on its host (PodHost.completed)');
  }

  /** Every host gets the slice at once (its arrivals, the barrier's writes): it runs when the one before has. */
  start(untilNs: number, nowNs: number, view: boolean): void {
    const n = this.hosts.length;
    if (this.inFlight > 0) this.pipelined++;
    const seq = ++this.seq;
    for (let i = 0; i < n; i++) {
      const h = this.sendOrder[i]!;
      // A view: a host on this thread reads it within send, and a worker's transport copies it there.
      const arrivals = this.arrivals[h]!.subarray(0, this.arrivalCount[h]!);
      this.arrivalCount[h] = 0;
      this.hosts[h]!.send({ op: 'run', commands: this.take(h), untilNs, nowNs, arrivals, seq, view });
    }
    this.inFlight++;
  }

  /**
   * The oldest slice's answers, host by host: its records and (if asked) values. A failure (a Go fatal
   * error) is the first by (time, pod) over every host, as PodEngines.run picks it; then no record of the
   * slice is heard, as on one thread, and the slice sent after it (which no host ran) is answered first.
   */
  finish(): void {
    const n = this.hosts.length;
    let failure: HostFailure | undefined;
    const ran = [];
    this.inFlight--;
    for (let h = 0; h < n; h++) {
      const r = this.expect(h, 'ran');
      ran.push(r);
      if (r.view.length > 0) this.views(r.view);
      this.events[h] = r.events;
      this.hostDelivered[h] = r.delivered;
      const f = r.failure;
      if (f && (failure === undefined || f.tNs < failure.tNs || (f.tNs === failure.tNs && f.k < failure.k))) {
        failure = f;
      }
    }
    this.delivered = this.hostDelivered.reduce((a, b) => a + b, 0);
    if (ran[0]!.view.length > 0) this.podCounts();
    if (failure) {
      for (; this.inFlight > 0; this.inFlight--) for (let h = 0; h < n; h++) this.expect(h, 'ran');
      // The pods as the failed slice left them (it may not have asked for their values).
      for (let h = 0; h < n; h++) this.flush(h);
      this.podCounts();
      this.failedAtNs = failure.tNs;
      if (failure.name === 'GoFatalError') throw new GoFatalError(failure.message);
      throw new Error(`pod ${failure.k} on a worker thread: ${failure.stack ?? failure.message}`);
    }
    const req = this.requests;
    for (let h = 0; h < n; h++) {
      const recs = ran[h]!.records;
      for (let o = 0; o < recs.length; o += RECORD_STRIDE) {
        const id = recs[o + 2]!;
        if (recs[o + 3]! < 0) {
          req.startNs[id] = recs[o + 4]!;
          req.outcome[id] = recs[o + 5]!;
        }
      }
      this.ran[h] = recs;
    }
  }

  /** The cluster's view of each pod's requests, as deliverNow and completed left it on the pod's engine. */
  private podCounts(): void {
    const pods = this.pods!.pods;
    for (let k = 0; k < pods.length; k++) {
      const p = pods[k]!;
      const row = this.rows[k];
      if (p.gone || row === undefined) continue;
      p.inFlight = row[1]!;
      p.completed = row[2]!;
    }
  }

  /**
   * Every host's records merged by (time, pod index): each host's are in that order already (its own
   * PodEngines merged its pods), and a pod's records are all on one host, so the pod's own order holds.
   */
  drain(take: (tNs: number, podIndex: number, id: number, tag: number) => void): void {
    const ran = this.ran;
    const n = ran.length;
    const at = new Int32Array(n);
    for (;;) {
      let best = -1;
      let bt = Infinity;
      let bk = Infinity;
      for (let h = 0; h < n; h++) {
        const o = at[h]!;
        const r = ran[h]!;
        if (o >= r.length) continue;
        const t = r[o + 1]!;
        if (t < bt || (t === bt && r[o]! < bk)) {
          best = h;
          bt = t;
          bk = r[o]!;
        }
      }
      if (best < 0) break;
      const r = ran[best]!;
      const o = at[best]!;
      at[best] = o + RECORD_STRIDE;
      take(bt, bk, r[o + 2]!, r[o + 3]!);
    }
    for (let h = 0; h < n; h++) ran[h] = EMPTY;
  }

  eventsProcessed(): number {
    return this.events.reduce((a, b) => a + b, 0);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.hosts) h.close();
  }
}

/**
 * A pod whose runtime runs on a worker thread, as the coordinator sees it: the same reads and writes as
 * the runtime itself (PodRuntime), so nothing on this side can tell the two apart. Reads return the
 * values its host sent at the end of the window (or after this barrier's writes); writes are queued to
 * the host. Requests reach the pod on its host (PodHost.deliverNow), never through `accept` here.
 */
export class PodView implements PodRuntime {
  constructor(
    protected readonly owner: ThreadedPods,
    readonly k: number,
  ) {}

  protected v(field: keyof typeof FIELD): number {
    return this.owner.value(this.k, FIELD[field]);
  }

  get gomaxprocs(): number {
    return this.v('gomaxprocs');
  }

  accept(): void {
    throw new Error('a pod on a worker thread takes its requests there (PodHost.deliverNow)');
  }

  runnable(): number {
    return this.v('runnable');
  }

  running(): number {
    return this.v('running');
  }

  busyIntegralNs(): number {
    return this.v('busyIntegralNs');
  }

  goroutines(): number {
    return this.v('goroutines');
  }

  /** The pod is gone: its host stops the runtime (if it stops) and ignores its completions, as `completed` does. */
  stop(): void {
    this.owner.write({ op: 'stop', k: this.k });
  }
}

/** A GmpPod on a worker thread: its gauges, columns, summary and settings too. */
export class GmpPodView extends PodView {
  readonly columns: readonly Column<void>[];

  constructor(owner: ThreadedPods, k: number) {
    super(owner, k);
    const base = 3 + VIEW_FIELDS.length;
    this.columns = GMP_COLUMNS.map((c, i) => ({
      name: c.name,
      kind: c.kind,
      read: () => owner.value(k, base + i),
    }));
  }

  sampleStart(): void {
    this.owner.write({ op: 'sampleStart', k: this.k });
  }

  summary(): { gmp: GmpSummary } {
    return this.owner.summary(this.k) as { gmp: GmpSummary };
  }

  memoryBytes(): number {
    return this.v('memoryBytes');
  }

  gcCpuIntegralNs(): number {
    return this.v('gcCpuIntegralNs');
  }

  gcPauseIntegralNs(): number {
    return this.v('gcPauseIntegralNs');
  }

  netpollDelay(): { taken: number; delayNs: number } {
    return { taken: this.v('netpollTaken'), delayNs: this.v('netpollDelayNs') };
  }

  applySettings(settings: RuntimeSettings): void {
    this.owner.write({ op: 'settings', k: this.k, settings });
  }
}

/**
 * Which host each pod in a cycle goes to: host h gets weights[h] of every sum(weights) pods, spread
 * evenly (at each place, the host furthest behind its share), so pod k lives on cycle[k mod length].
 */
export function weightedCycle(weights: readonly number[]): Int32Array {
  if (weights.some((w) => !Number.isInteger(w) || w < 1)) throw new Error(`host weights ${weights}: integers >= 1`);
  const total = weights.reduce((a, b) => a + b, 0);
  const cycle = new Int32Array(total);
  const given = weights.map(() => 0);
  for (let r = 0; r < total; r++) {
    let best = 0;
    let behind = -Infinity;
    for (let h = 0; h < weights.length; h++) {
      const b = (weights[h]! * (r + 1)) / total - given[h]!;
      if (b > behind) {
        best = h;
        behind = b;
      }
    }
    cycle[r] = best;
    given[best]!++;
  }
  return cycle;
}

/**
 * A pod host on this thread: tests (the window protocol without threads; the answers are the same), and
 * the coordinator's own share of the pods beside worker threads (`weight`), run while they run theirs.
 */
export class HostOnThisThread implements PodTransport {
  readonly here = true;
  private readonly host: PodHost;
  private readonly replies: HostReply[] = [];

  constructor(
    init: HostInit,
    readonly weight = 1,
  ) {
    this.host = new PodHost(init);
  }

  send(m: HostRequest): void {
    try {
      const r = this.host.handle(m);
      if (r) this.replies.push(r);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.replies.push({ op: 'error', message: err.message, stack: err.stack });
    }
  }

  receive(): HostReply {
    const r = this.replies.shift();
    if (r === undefined) throw new Error('pod host: no answer');
    return r;
  }

  close(): void {}
}
