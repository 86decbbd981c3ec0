import type { HpaDecisionRecord } from '../autoscaler/hpa/controller.js';
import type { ClusterPod } from '../cluster/deployment.js';
import type { Simulation } from '../engine/simulation.js';
import { msToNs, sToNs } from '../engine/time.js';
import { TraceRecorder } from '../runtime/gmp/trace-export.js';
import type { PodRuntime } from '../runtime/pod-runtime.js';
import { type TraceDocument, type TraceEvent, TraceSink } from '../runtime/trace-events.js';
import type { Scenario } from '../scenario/schema.js';
import type { PodFleet } from './fleet.js';

/** What `gmpsim run --trace` records. */
export interface RunTraceOptions {
  /** Simulated seconds recorded, [startS, endS]. */
  startS: number;
  endS: number;
  /** Pod indexes recorded (absent: every pod). */
  pods?: readonly number[];
  /** Cap on bulk events (slices, instants, counters, flows): past it the trace stops recording them. */
  maxEvents: number;
  /** Counter sampling period, ms (absent: the window / 2,000, at least 1 ms). */
  counterMs?: number;
}

/** Default cap: about 120 MB of JSON (≈120 bytes per event), which ui.perfetto.dev opens in a browser tab. */
export const DEFAULT_TRACE_MAX_EVENTS = 1_000_000;

/** The cluster is process 1; pod k is process k + 2 (Perfetto orders processes by sort index). */
export const CLUSTER_PID = 1;
export const podPid = (index: number): number => index + 2;
const INGRESS_TID = 1;
const HPA_TID = 2;
const FAULT_TID = 3;
const TIMELINE_TID = 4;
/** The pod's lifecycle track, shown first in its process. */
export const LIFECYCLE_TID = 9000;

/** Where a pod is, as its lifecycle track names it: the start-up phase when modelled, else its conditions. */
function lifecycleOf(p: ClusterPod, phases: boolean): string {
  if (p.gone) return 'Gone';
  if (p.terminating) return 'Terminating';
  if (phases) return p.phase;
  if (p.ready) return 'Ready';
  return p.running ? 'Running (not Ready)' : 'Pending';
}

/**
 * The whole run as one Chrome Trace Event / Perfetto JSON document: a process per pod (all, or those
 * chosen) with its Go runtime's tracks (TraceRecorder), its lifecycle and counter tracks (run queues,
 * the runtime's gauges and rates, CPU); a cluster process with the ingress (each routed request, with a
 * flow arrow to the G that served it), HPA syncs and scale events, faults and timeline events, and
 * replica and CPU counters. Observation only: it reads the model, schedules only its own sampling event
 * (not counted in summary.json's engine events) and draws nothing from the model's random streams.
 */
export class RunTrace {
  readonly sink: TraceSink;
  private readonly pods: ReadonlySet<number> | undefined;
  private readonly recorders = new Map<number, TraceRecorder>();
  private readonly life = new Map<number, { label: string; startNs: number }>();
  private readonly last = new Map<number, { rt: PodRuntime; busy: number; counters: number[] }>();
  private readonly periodNs: number;
  private lastSampleNs = 0;
  private clusterBusy = 0;
  /** Sampling events this trace scheduled (kept out of the summary's engine event count). */
  samplingEvents = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly scenario: Scenario,
    readonly options: RunTraceOptions,
  ) {
    const startNs = sToNs(options.startS);
    const endNs = Math.min(sToNs(options.endS), sToNs(scenario.durationS));
    this.sink = new TraceSink(sim, startNs, endNs, options.maxEvents);
    this.pods = options.pods ? new Set(options.pods) : undefined;
    this.periodNs =
      options.counterMs !== undefined
        ? msToNs(options.counterMs)
        : Math.max(msToNs(1), Math.round((endNs - startNs) / 2000));
    const s = this.sink;
    s.nameProcess(CLUSTER_PID, 'cluster (ingress, HPA, faults)', 0);
    s.nameThread(CLUSTER_PID, INGRESS_TID, 'ingress (routed requests)');
    s.nameThread(CLUSTER_PID, HPA_TID, 'HPA syncs');
    s.nameThread(CLUSTER_PID, FAULT_TID, 'faults');
    s.nameThread(CLUSTER_PID, TIMELINE_TID, 'timeline');
  }

  /** Is pod `index` recorded? */
  wants(index: number): boolean {
    return this.pods === undefined || this.pods.has(index);
  }

  /** A container of pod `index` started with this runtime (the first, or a restart after an OOM kill). */
  attach(index: number, rt: PodRuntime): void {
    if (!this.wants(index)) return;
    const prev = this.recorders.get(index);
    if (prev) prev.finish();
    else this.sink.nameProcess(podPid(index), `pod-${index} (Go runtime, GOMAXPROCS=${rt.gomaxprocs})`, index + 1);
    if (!rt.setTracer) return;
    const rec = new TraceRecorder(this.sink, podPid(index), rt.gomaxprocs);
    rt.setTracer(rec);
    this.recorders.set(index, rec);
  }

  /** Request id → its flow id, from just before routing until its ingress slice is written. */
  private readonly routingFlow = new Map<number, number>();

  /** A request is about to be routed: its flow is pending (the pod may run its G before `routed`). */
  routing(requestId: number): void {
    if (!this.sink.inWindow(this.sim.now) || !this.sink.open) return;
    const id = this.sink.flowId();
    this.sink.pendingFlows.set(requestId, id);
    this.routingFlow.set(requestId, id);
  }

  /** The request was routed: a slice on the ingress track whose flow ends on its G's first run. */
  routed(requestId: number, seq: number, attempt: number): void {
    const id = this.routingFlow.get(requestId);
    if (id === undefined) return;
    this.routingFlow.delete(requestId);
    const name = attempt > 0 ? `request ${seq} (retry ${attempt})` : `request ${seq}`;
    const ev: TraceEvent = {
      name,
      ph: 'X',
      ts: this.sim.now / 1e3,
      dur: 0,
      pid: CLUSTER_PID,
      tid: INGRESS_TID,
      cat: 'request',
      bind_id: id,
      flow_out: true,
    };
    if (!this.sink.push(ev)) this.sink.pendingFlows.delete(requestId);
  }

  /** A request id is free again (completed, lost, reused): no flow may end on a later G with its id. */
  released(requestId: number): void {
    this.sink.pendingFlows.delete(requestId);
    this.routingFlow.delete(requestId);
  }

  /** Start sampling counters and lifecycles every period inside the window. */
  start(fleet: PodFleet, clusterCounters: () => Record<string, number>): void {
    const kind = this.sim.registerKind('trace.sample', () => {
      this.samplingEvents++;
      this.sample(fleet, clusterCounters());
      const next = this.sim.now + this.periodNs;
      if (next <= this.sink.endNs) this.sim.scheduleAt(next, kind);
    });
    this.lastSampleNs = this.sink.startNs;
    this.sim.scheduleAt(this.sink.startNs, kind);
  }

  private counter(pid: number, name: string, args: Record<string, number>): void {
    this.sink.push({ name, ph: 'C', ts: this.sim.now / 1e3, pid, args });
  }

  private sample(fleet: PodFleet, cluster: Record<string, number>): void {
    const now = this.sim.now;
    const dtS = (now - this.lastSampleNs) / 1e9;
    this.lastSampleNs = now;
    const dep = fleet.deployment;
    this.counter(CLUSTER_PID, 'replicas', {
      desired: dep.replicas,
      ready: dep.readyCount(),
      pending: dep.pendingCount(),
    });
    const busy = fleet.busyIntegralNs();
    if (dtS > 0) this.counter(CLUSTER_PID, 'cpu', { cores: (busy - this.clusterBusy) / 1e9 / dtS });
    this.clusterBusy = busy;
    this.counter(CLUSTER_PID, 'requests', cluster);
    const phases = this.scenario.cluster.pod.startupPhases !== undefined;
    for (const pod of dep.pods) {
      if (!this.wants(pod.index)) continue;
      this.lifecycle(pod, phases, now);
      if (pod.gone || !pod.running) continue;
      this.podCounters(pod, dtS);
    }
  }

  private lifecycle(pod: ClusterPod, phases: boolean, now: number): void {
    const label = lifecycleOf(pod, phases);
    const cur = this.life.get(pod.index);
    if (cur?.label === label) return;
    if (cur?.label === 'Gone') return;
    if (!cur) this.sink.nameThread(podPid(pod.index), LIFECYCLE_TID, 'lifecycle');
    // With start-up phases the pod knows when its phase began; otherwise the change is seen at this sample.
    const start =
      phases && label === pod.phase
        ? Math.max(pod.phaseStartNs, cur?.startNs ?? pod.createdNs)
        : cur
          ? now
          : pod.createdNs;
    if (cur) this.sink.slice(podPid(pod.index), LIFECYCLE_TID, cur.label, cur.startNs, start, undefined, true);
    this.life.set(pod.index, { label, startNs: Math.min(start, now) });
  }

  private podCounters(pod: ClusterPod, dtS: number): void {
    const rt = pod.runtime;
    const pid = podPid(pod.index);
    const cols = rt.columns ?? [];
    // (Not rt.sampleStart: it notes peak memory and may OOM-kill, which an observer must not do.)
    const values = cols.map((c) => c.read());
    let prev = this.last.get(pod.index);
    if (!prev || prev.rt !== rt) prev = { rt, busy: rt.busyIntegralNs(), counters: values.map(() => NaN) };
    const gauges: Record<string, number> = {};
    const rates: Record<string, number> = {};
    cols.forEach((c, i) => {
      if (c.kind === 'gauge') gauges[c.name] = values[i]!;
      else if (dtS > 0 && !Number.isNaN(prev.counters[i]!))
        rates[`${c.name}_per_s`] = (values[i]! - prev.counters[i]!) / dtS;
    });
    gauges.in_flight = pod.inFlight;
    this.counter(pid, 'runtime', gauges);
    if (Object.keys(rates).length > 0) this.counter(pid, 'runtime rate', rates);
    const busy = rt.busyIntegralNs();
    if (dtS > 0) this.counter(pid, 'cpu', { cores: (busy - prev.busy) / 1e9 / dtS });
    const runq = rt.runqLengths?.();
    if (runq) this.counter(pid, 'runq', runq);
    this.last.set(pod.index, { rt, busy, counters: values });
  }

  /** Close every open slice, add the cluster's decisions, faults and timeline, and return the document. */
  finish(hpa: readonly HpaDecisionRecord[] | undefined): TraceDocument {
    const s = this.sink;
    const end = Math.min(this.sim.now, s.endNs);
    for (const rec of this.recorders.values()) rec.finish();
    for (const [index, cur] of this.life) {
      if (cur.label !== 'Gone') s.slice(podPid(index), LIFECYCLE_TID, cur.label, cur.startNs, end, undefined, true);
    }
    for (const d of hpa ?? []) {
      const t = sToNs(d.tS);
      if (!s.inWindow(t)) continue;
      const name = d.rescale
        ? `scale ${d.desiredReplicas > d.currentReplicas ? 'up' : 'down'} ${d.currentReplicas}→${d.desiredReplicas}`
        : 'sync';
      const { tS: _t, ...args } = d;
      s.pushAlways({ name, ph: 'i', s: 't', ts: t / 1e3, pid: CLUSTER_PID, tid: HPA_TID, cat: 'hpa', args });
    }
    for (const f of this.scenario.faults) {
      const t0 = sToNs(f.atS);
      if (f.type === 'pod-kill') {
        if (s.inWindow(t0))
          s.pushAlways({
            name: f.type,
            ph: 'i',
            s: 't',
            ts: t0 / 1e3,
            pid: CLUSTER_PID,
            tid: FAULT_TID,
            cat: 'fault',
            args: { ...f },
          });
      } else s.slice(CLUSTER_PID, FAULT_TID, f.type, t0, t0 + sToNs(f.durationS), { ...f }, true);
    }
    for (const e of this.scenario.timeline) {
      const t = sToNs(e.atS);
      if (s.inWindow(t))
        s.pushAlways({
          name: e.type,
          ph: 'i',
          s: 't',
          ts: t / 1e3,
          pid: CLUSTER_PID,
          tid: TIMELINE_TID,
          cat: 'timeline',
          args: { ...e },
        });
    }
    const truncated = !s.open;
    if (truncated) {
      s.pushAlways({
        name: `trace truncated: the event cap (${s.maxEvents}) was reached`,
        ph: 'i',
        s: 'g',
        ts: s.truncatedAtNs / 1e3,
        pid: CLUSTER_PID,
        tid: 0,
      });
    }
    // Metadata first, then by time (the format does not need it; it keeps the file diffable and streams well).
    const meta = s.events.filter((e) => e.ph === 'M');
    const rest = s.events.filter((e) => e.ph !== 'M').sort((a, b) => a.ts! - b.ts!);
    return {
      traceEvents: [...meta, ...rest],
      displayTimeUnit: 'ns',
      metadata: {
        'gmpsim-window-s': [s.startNs / 1e9, s.endNs / 1e9],
        'gmpsim-pods': this.options.pods ? [...this.options.pods] : 'all',
        'gmpsim-max-events': s.maxEvents,
        'gmpsim-truncated-at-s': truncated ? s.truncatedAtNs / 1e9 : null,
      },
    };
  }
}
