/**
 * The playground's simulation side, shared by the Web Worker and the Node tests: it parses a lesson's
 * YAML with the CLI's own loader (parseScenario + resolveFiles), runs the CLI's own Experiment in
 * slices, and reads observation-only views of the run between slices — rows of the time series, frames
 * of the first pod's scheduler state, the cluster's pods. Nothing here changes what the model does.
 * No DOM and no Node APIs: it runs unchanged in a worker and under mocha.
 */

import { toStableJson } from '../src/report/format.js';
import { GC_MARK } from '../src/runtime/gc/cycle.js';
import { GmpPod } from '../src/runtime/gmp/pod.js';
import { RUNQ_SIZE } from '../src/runtime/gmp/runq.js';
import type { SchedTracer } from '../src/runtime/gmp/sched.js';
import {
  Gdead,
  Grunnable,
  Grunning,
  Gsyscall,
  Gwaiting,
  WAIT_GC_ASSIST,
  WAIT_IO,
  WAIT_SLEEP,
} from '../src/runtime/gmp/states.js';
import type { Scenario } from '../src/scenario/schema.js';
import { Experiment } from '../src/sim/experiment.js';
import type { RunSummary } from '../src/sim/summary.js';

import { P_HANDOFF, P_PREEMPT, P_SYSCALL } from './frame-bits.js';

export { checkScenario, type ProblemView } from './check.js';

/** Most Gs of a local run queue a frame lists (the rest are counted). */
export const FRAME_RUNQ_GS = 16;
/** Most Gs a frame lists per area off the Ps (global queue, syscall, netpoll, parked). */
export const FRAME_AREA_GS = 16;

/** One P's lane in a frame: status, its M, the running G, runnext and the head of the local run queue. */
export interface PLane {
  status: number;
  m: number;
  /** goid running on the P, or -1. */
  g: number;
  /** goid in runnext, or -1. */
  next: number;
  /** goids at the head of the local run queue (at most FRAME_RUNQ_GS), and the queue's length. */
  q: number[];
  qLen: number;
  /** During the mark phase, the running G owes assist credit (cycle.ts gAssist < 0): it is assisting. */
  assisting: boolean;
}

/** Counts of what the scheduler did since the previous frame (the tracer's instants). */
export interface FrameEvents {
  steal: number;
  preempt: number;
  handoff: number;
  syscall: number;
  newm: number;
}

/** The first pod's scheduler at one instant: what the lane view draws. */
export interface SchedFrame {
  tNs: number;
  ps: PLane[];
  globalRunq: number;
  /** Per M: status (states.ts M*), spinning, its P (-1 none) and its G's goid (-1 none). */
  ms: { status: number; spinning: boolean; p: number; g: number }[];
  /** Goroutines of the program by state (system Gs — mark workers — left out). */
  gs: {
    running: number;
    runnable: number;
    syscall: number;
    netpoll: number;
    sleep: number;
    assistWait: number;
    otherWait: number;
  };
  /**
   * goids of the Gs off the Ps, by where they are (each list at most FRAME_AREA_GS long): the head of the
   * global run queue, in a syscall (with its M), parked in netpoll, parked otherwise (sleep, channels,
   * assist waits). With the lanes' running G, runnext and local queues they let the page move each G from
   * where it was in one frame to where it is in the next.
   */
  areas: { global: number[]; syscall: number[]; netpoll: number[]; parked: number[] };
  /** GC phase (cycle.ts GC_*), or -1 without a collector. */
  gcPhase: number;
  events: FrameEvents;
  /** Steals since the previous frame (at most STEALS_PER_FRAME): the thief P, the victim P and how many Gs. */
  steals: { thief: number; victim: number; n: number }[];
  /** Per P, the instants it saw since the previous frame (bits: 1 preempt, 2 handoff, 4 syscall). */
  pFlags: number[];
  /** The tracer's last messages up to this frame, newest last. */
  recent: string[];
}

/** A pod of the Deployment at one instant. */
export type PodState = 'Pending' | 'Starting' | 'Ready' | 'Terminating';
export interface ClusterFrame {
  tNs: number;
  replicas: number;
  ready: number;
  pods: PodState[];
  /** The pods' indexes (pod-<index>), beside `pods`. */
  podIndex: number[];
}

const RECENT = 8;
const STEALS_PER_FRAME = 8;

/**
 * The scheduler's tracer hook (sched.ts SchedTracer, the interface `--trace` records through): counts
 * instants and keeps the last few as text. Observation only.
 */
class FrameTracer implements SchedTracer {
  events: FrameEvents = { steal: 0, preempt: 0, handoff: 0, syscall: 0, newm: 0 };
  readonly recent: string[] = [];
  /** Every message, while stepping one event at a time (undefined otherwise: nothing retained). */
  log: string[] | undefined;

  constructor(private readonly clock: { readonly now: number }) {}

  private note(text: string): void {
    const line = `${(this.clock.now / 1e6).toFixed(3)} ms  ${text}`;
    this.recent.push(line);
    if (this.recent.length > RECENT) this.recent.shift();
    this.log?.push(line);
  }

  gStart(pp: number, m: number, _gp: number, goid: number): void {
    if (this.log) this.note(`G${goid} runs on P${pp} (M${m})`);
  }

  gStop(pp: number, _m: number, _gp: number, reason: string): void {
    if (this.log) this.note(`P${pp} stops its G: ${reason}`);
  }

  steals: { thief: number; victim: number; n: number }[] = [];
  pFlags: number[] = [];

  instant(kind: keyof FrameEvents, pp: number, m: number, detail: string): void {
    this.events[kind]++;
    if (kind === 'steal' && this.steals.length < STEALS_PER_FRAME) {
      // sched.ts stealWork's message: "stole N from P<victim>"
      const st = /stole (\d+) from P(\d+)/.exec(detail);
      if (st) this.steals.push({ thief: pp, victim: Number(st[2]), n: Number(st[1]) });
    } else if (pp >= 0 && kind !== 'newm') {
      const bit = kind === 'preempt' ? P_PREEMPT : kind === 'handoff' ? P_HANDOFF : P_SYSCALL;
      this.pFlags[pp] = (this.pFlags[pp] ?? 0) | bit;
    }
    this.note(`${kind}${pp >= 0 ? ` P${pp}` : ''}${m >= 0 ? ` M${m}` : ''}: ${detail}`);
  }

  take(nP: number): Pick<SchedFrame, 'events' | 'steals' | 'pFlags'> {
    const pFlags = Array.from({ length: nP }, (_, p) => this.pFlags[p] ?? 0);
    const out = { events: this.events, steals: this.steals, pFlags };
    this.events = { steal: 0, preempt: 0, handoff: 0, syscall: 0, newm: 0 };
    this.steals = [];
    this.pFlags = [];
    return out;
  }
}

/** What one slice of a run produced, for the page: new rows, new frames, and whether it has ended. */
export interface RunChunk {
  tNs: number;
  endNs: number;
  columns?: string[];
  rows: number[][];
  podColumns?: string[];
  podRows: (number | string)[][];
  hpa: { tS: number; currentReplicas: number; desiredReplicas: number; reason: string; proposals: string }[];
  frames: SchedFrame[];
  cluster: ClusterFrame[];
}

/**
 * One run of a lesson, advanced by the caller in steps of simulated time; `chunk()` hands over what is
 * new since the last call. The Experiment is the CLI's (same slices of `advanceTo`, same `finish`), so
 * the summary is `gmpsim run`'s summary.json byte for byte. Frames describe pod `pod` (any pod of the
 * Deployment: the tracer follows it into a container started later, or restarted after an OOM kill);
 * while that pod has no running Go runtime, there is no scheduler frame.
 */
export class PlaygroundRun {
  readonly exp: Experiment;
  private readonly tracer: FrameTracer | undefined;
  private rowsSent = 0;
  private podRowsSent = 0;
  private hpaSent = 0;
  private columnsSent = false;
  private frames: SchedFrame[] = [];
  private cluster: ClusterFrame[] = [];

  constructor(
    readonly scenario: Scenario,
    readonly seed: number = scenario.seed,
    readonly pod = 0,
  ) {
    // One engine for every pod: the page follows one pod's scheduler event by event on the run's clock
    // (a windowed run would advance that pod on an engine of its own, src/parallel/).
    this.exp = new Experiment(scenario, seed, { singleEngine: true });
    if (scenario.runtime.scheduler === 'gmp') this.tracer = new FrameTracer(this.exp.sim);
    this.follow();
  }

  /** The chosen pod's current Go runtime, with the frame tracer attached to it (undefined: none now). */
  private follow(): GmpPod | undefined {
    const cp = this.exp.fleet.deployment.pods[this.pod];
    const rt = cp && !cp.gone && cp.running ? cp.runtime : undefined;
    if (!(rt instanceof GmpPod) || !this.tracer) return undefined;
    if (rt.sched.tracer !== this.tracer) rt.sched.tracer = this.tracer;
    return rt;
  }

  get nowNs(): number {
    return this.exp.sim.now;
  }

  get endNs(): number {
    return this.exp.endNs;
  }

  get done(): boolean {
    return this.exp.done;
  }

  /** Advance to tNs and record a frame of the pod and the cluster there. */
  advanceTo(tNs: number): void {
    this.exp.advanceTo(tNs);
    this.record();
  }

  /**
   * Dispatch exactly one event (the engine's Simulation.step); returns the event's kind and the
   * scheduler's messages during it, and records a frame. Undefined when the run has ended.
   */
  stepEvent(): { tNs: number; kind: string; log: string[] } | undefined {
    if (this.exp.done) return undefined;
    const sim = this.exp.sim;
    if (sim.peek() > this.exp.endNs) return undefined;
    const log: string[] = [];
    if (this.tracer) this.tracer.log = log;
    try {
      sim.step();
    } finally {
      if (this.tracer) this.tracer.log = undefined;
    }
    this.record();
    return { tNs: sim.now, kind: sim.kindName(sim.lastKind), log };
  }

  private record(): void {
    const f = this.schedFrame();
    if (f) this.frames.push(f);
    this.cluster.push(this.clusterFrame());
  }

  /** The first pod's scheduler now (gmp only). Reads the same fields schedtrace/scheddetail print. */
  schedFrame(): SchedFrame | undefined {
    const pod = this.follow();
    if (!pod || !this.tracer) return undefined;
    const s = pod.sched;
    const g = s.g;
    const rq = s.rq;
    const goid = (gp: number): number => (gp >= 0 ? g.goid[gp]! : -1);
    const ps: PLane[] = [];
    for (let p = 0; p < s.nP; p++) {
      const qLen = rq.runqlen(p);
      const q: number[] = [];
      const h = rq.runqhead[p]!;
      for (let i = 0; i < Math.min(qLen, FRAME_RUNQ_GS); i++)
        q.push(goid(rq.runq[p * RUNQ_SIZE + ((h + i) % RUNQ_SIZE)]!));
      const cur = s.pCurG[p]!;
      ps.push({
        status: s.pStatus[p]!,
        m: s.pM[p]!,
        g: goid(cur),
        next: goid(rq.runnext[p]!),
        q,
        qLen,
        assisting: cur >= 0 && s.gc !== undefined && s.gc.phase === GC_MARK && s.gc.gAssist[cur]! < 0,
      });
    }
    const ms: SchedFrame['ms'] = [];
    for (let m = 0; m < s.mcount; m++)
      ms.push({ status: s.mStatus[m]!, spinning: s.mSpinning[m] === 1, p: s.mP[m]!, g: goid(s.mCurG[m]!) });
    const gs = { running: 0, runnable: 0, syscall: 0, netpoll: 0, sleep: 0, assistWait: 0, otherWait: 0 };
    const areas: SchedFrame['areas'] = { global: [], syscall: [], netpoll: [], parked: [] };
    const list = (a: number[], gp: number) => {
      if (a.length < FRAME_AREA_GS) a.push(g.goid[gp]!);
    };
    for (let gp = s.nSystemGs; gp < g.count; gp++) {
      const st = g.status[gp]!;
      if (st === Gdead) continue;
      if (st === Grunning) gs.running++;
      else if (st === Grunnable) gs.runnable++;
      else if (st === Gsyscall) {
        gs.syscall++;
        list(areas.syscall, gp);
      } else if (st === Gwaiting) {
        const why = g.waitReason[gp]!;
        if (why === WAIT_IO) {
          gs.netpoll++;
          list(areas.netpoll, gp);
        } else {
          if (why === WAIT_SLEEP) gs.sleep++;
          else if (why === WAIT_GC_ASSIST) gs.assistWait++;
          else gs.otherWait++;
          list(areas.parked, gp);
        }
      }
    }
    for (let i = 0; i < Math.min(rq.runqsize, FRAME_AREA_GS); i++) {
      const gp = rq.globalAt(i);
      if (gp < 0) break;
      areas.global.push(g.goid[gp]!);
    }
    return {
      tNs: this.exp.sim.now,
      ps,
      globalRunq: rq.runqsize,
      ms,
      gs,
      areas,
      gcPhase: s.gc ? s.gc.phase : -1,
      ...this.tracer.take(s.nP),
      recent: [...this.tracer.recent],
    };
  }

  clusterFrame(): ClusterFrame {
    const dep = this.exp.fleet.deployment;
    const pods: PodState[] = [];
    const podIndex: number[] = [];
    for (const p of dep.pods) {
      if (p.gone) continue;
      pods.push(p.terminating ? 'Terminating' : p.ready ? 'Ready' : p.running ? 'Starting' : 'Pending');
      podIndex.push(p.index);
    }
    return { tNs: this.exp.sim.now, replicas: dep.replicas, ready: dep.readyCount(), pods, podIndex };
  }

  /** What is new since the last call. Rows are copied out of the live series (the run keeps its own). */
  chunk(): RunChunk {
    const { series, podSeries } = this.exp;
    const hpa = this.exp.fleet.autoscaler?.decisions ?? [];
    const out: RunChunk = {
      tNs: this.exp.sim.now,
      endNs: this.exp.endNs,
      rows: series.rows.slice(this.rowsSent),
      podRows: podSeries.rows.slice(this.podRowsSent),
      hpa: hpa.slice(this.hpaSent).map((d) => ({
        tS: d.tS,
        currentReplicas: d.currentReplicas,
        desiredReplicas: d.desiredReplicas,
        reason: d.reason,
        proposals: d.proposals,
      })),
      frames: this.frames,
      cluster: this.cluster,
    };
    if (!this.columnsSent) {
      out.columns = [...series.columns];
      out.podColumns = [...podSeries.columns];
      this.columnsSent = true;
    }
    this.rowsSent = series.rows.length;
    this.podRowsSent = podSeries.rows.length;
    this.hpaSent = hpa.length;
    this.frames = [];
    this.cluster = [];
    return out;
  }

  /** Run to the end and return the summary, as `gmpsim run` writes it to summary.json. */
  finish(): { summary: RunSummary; summaryJson: string } {
    const { summary } = this.exp.finish();
    return { summary, summaryJson: toStableJson(summary) };
  }
}

/**
 * Frame times for a run: `frames` evenly spaced instants over the run. Like the CLI's progress slices,
 * stopping the engine at these times changes nothing in the results.
 */
export function frameTimes(endNs: number, frames: number): number[] {
  const step = Math.max(1, Math.ceil(endNs / frames));
  const out: number[] = [];
  for (let t = step; t < endNs; t += step) out.push(t);
  out.push(endNs);
  return out;
}
