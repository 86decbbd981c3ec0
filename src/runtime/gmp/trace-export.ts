import type { GcTracer } from '../gc/cycle.js';
import type { AssistTracer } from '../gc/mark.js';
import type { TraceSink } from '../trace-events.js';
import type { SchedTracer } from './sched-config.js';

/** Track ids within a pod's process: P tracks are 0..GOMAXPROCS-1, then GC, Ms, wait lanes. */
export const GC_TID = 500;
export const M_TID_BASE = 1000;
export const WAIT_TID_BASE = 5000;
/** Most wait lanes drawn per pod (a server with thousands of parked Gs would draw thousands). */
export const MAX_WAIT_LANES = 32;

/** What the recorder reads from the pod's G table (given by the pod; the scheduler is not reached into). */
export interface GView {
  /** The request a G serves (its root G), or -1. */
  request(gp: number): number;
  /** gp.waitreason's string while parked. */
  waitReason(gp: number): string;
  /** A name for a G that is not a program's (the GC's background mark worker), or undefined. */
  label(pp: number, gp: number): string | undefined;
}

interface Running {
  ts: number;
  gp: number;
  goid: number;
  m: number;
  /** The slice's name: G<goid>, or what the G is (the GC's mark worker, in its mode at the start). */
  name: string;
  /** Flow arriving at this run: a routed request (v2, bound to the slice) and a steal (v1). */
  requestFlow: number;
  stealFlow: number;
  /** A handoff this run receives (the first run of the M that handoffp started for the P), or undefined. */
  handoff: Handoff | undefined;
}

/** handoffp gave a P taken from an M blocked in a syscall to another M: the arrow's two ends. */
interface Handoff {
  /** When (ns), and the M whose syscall lost the P (its `syscall` slice covers that moment). */
  ts: number;
  fromM: number;
  /** The M started for the P: the arrow ends on its first G run. */
  toM: number;
}

/**
 * One pod's Go runtime as Chrome Trace Event JSON: a track per P and per M with a slice per G run (mark
 * assists nested in them, the GC's mark workers named as such), a GC track with the stop-the-world and
 * mark phases, syscall slices on the M that blocked, lanes of waits (netpoll, channels, sleep, assist
 * waits), instants for steals, preemptions, handoffs, syscalls and new Ms, and flow arrows from the
 * ingress to the G that served each request, from a steal's victim P to the thief's next run, and for a
 * handoff (proc.go handoffp) from the syscall of the M that lost the P to the first run of the M given it.
 */
export class TraceRecorder implements SchedTracer, GcTracer, AssistTracer {
  private readonly open = new Map<number, Running>();
  private readonly seenM = new Set<number>();
  /** A G in a syscall: since when, on which M. */
  private readonly inSyscall = new Map<number, { ts: number; m: number }>();
  /** A parked G: since when, why, on which lane. */
  private readonly parked = new Map<number, { ts: number; reason: string; lane: number }>();
  private readonly laneBusy: boolean[] = [];
  /** A steal's flow waiting for the thief P's next run. */
  private readonly stealIn = new Map<number, number>();
  /** The M that entered a syscall holding each P (while the P stays in _Psyscall it is that M's). */
  private readonly syscallM = new Map<number, number>();
  /** A handoff waiting for the first run on its P. */
  private readonly handoffIn = new Map<number, Handoff>();
  private readonly assistStart: Float64Array;
  view: GView | undefined;

  constructor(
    private readonly sink: TraceSink,
    private readonly pid: number,
    nP: number,
  ) {
    for (let p = 0; p < nP; p++) sink.nameThread(pid, p, `P${p}`);
    sink.nameThread(pid, GC_TID, 'GC (STW, mark)');
    this.assistStart = new Float64Array(nP).fill(NaN);
  }

  private get now(): number {
    return this.sink.clock.now;
  }

  private nameM(m: number): void {
    if (m < 0 || this.seenM.has(m)) return;
    this.seenM.add(m);
    this.sink.nameThread(this.pid, M_TID_BASE + m, `M${m}`);
  }

  gStart(pp: number, m: number, gp: number, goid: number): void {
    const now = this.now;
    this.endSyscall(gp, now);
    this.endWait(gp, now);
    let requestFlow = -1;
    const req = this.view ? this.view.request(gp) : -1;
    if (req >= 0) {
      const f = this.sink.pendingFlows.get(req);
      if (f !== undefined) {
        this.sink.pendingFlows.delete(req);
        requestFlow = f;
      }
    }
    const stealFlow = this.stealIn.get(pp) ?? -1;
    this.stealIn.delete(pp);
    // the handoff's arrow ends here only if this is the M handoffp started (it may have found no work)
    let handoff = this.handoffIn.get(pp);
    this.handoffIn.delete(pp);
    if (handoff && handoff.toM !== m) handoff = undefined;
    const name = this.view?.label(pp, gp) ?? `G${goid}`;
    this.open.set(pp, { ts: now, gp, goid, m, name, requestFlow, stealFlow, handoff });
  }

  gStop(pp: number, _m: number, gp: number, reason: string): void {
    const now = this.now;
    const o = this.open.get(pp);
    if (o) {
      this.open.delete(pp);
      this.emitRun(pp, o, now, reason);
    }
    if (reason === 'syscall' && o && o.m >= 0) {
      this.inSyscall.set(gp, { ts: now, m: o.m });
      this.syscallM.set(pp, o.m);
    } else if (reason === 'park' && this.view) this.startWait(gp, now, this.view.waitReason(gp));
  }

  private emitRun(pp: number, o: Running, end: number, reason: string): void {
    const sink = this.sink;
    const start = Math.max(o.ts, sink.startNs);
    const stop = Math.min(end, sink.endNs);
    if (stop < start) return;
    const name = o.name;
    const ts = start / 1e3;
    const dur = (stop - start) / 1e3;
    const args = { goid: o.goid, m: o.m, end: reason };
    // A routed request's flow ends on the slice of its G's first run (flow v2: bound to the slice).
    const flow = o.requestFlow >= 0 && start === o.ts ? { bind_id: o.requestFlow, flow_in: true } : {};
    sink.push({ name, ph: 'X', ts, dur, pid: this.pid, tid: pp, cat: 'g', args, ...flow });
    if (o.stealFlow >= 0 && start === o.ts) {
      sink.push({
        name: 'steal',
        ph: 'f',
        bp: 'e',
        cat: 'steal',
        id: o.stealFlow,
        ts: ts + dur / 2,
        pid: this.pid,
        tid: pp,
      });
    }
    if (o.m >= 0) {
      this.nameM(o.m);
      sink.push({
        name,
        ph: 'X',
        ts,
        dur,
        pid: this.pid,
        tid: M_TID_BASE + o.m,
        cat: 'g',
        args: { goid: o.goid, p: pp },
      });
      if (o.handoff && start === o.ts) this.handoffFlow(o.handoff, ts + dur / 2, pp);
    }
  }

  /**
   * The handoff's arrow (flow v1), written when its end is known so no start is left without an end: from
   * the releasing M's `syscall` slice at the moment of handoffp to the acquiring M's first run.
   */
  private handoffFlow(h: Handoff, endUs: number, pp: number): void {
    const sink = this.sink;
    if (!sink.inWindow(h.ts) || sink.room < 2) return;
    const id = sink.flowId();
    const tid = M_TID_BASE + h.fromM;
    sink.push({ name: 'handoff', ph: 's', cat: 'handoff', id, ts: h.ts / 1e3, pid: this.pid, tid, args: { p: pp } });
    sink.push({
      name: 'handoff',
      ph: 'f',
      bp: 'e',
      cat: 'handoff',
      id,
      ts: endUs,
      pid: this.pid,
      tid: M_TID_BASE + h.toM,
    });
  }

  /** The syscall returned: its M's `syscall` slice ends now (exitsyscall0 parks the M; the G waits for a P). */
  exitsyscall(gp: number): void {
    this.endSyscall(gp, this.now);
  }

  private endSyscall(gp: number, now: number): void {
    const s = this.inSyscall.get(gp);
    if (!s) return;
    this.inSyscall.delete(gp);
    this.nameM(s.m);
    this.sink.slice(this.pid, M_TID_BASE + s.m, 'syscall', s.ts, now, { gp });
  }

  private startWait(gp: number, now: number, reason: string): void {
    let lane = this.laneBusy.indexOf(false);
    if (lane < 0) {
      if (this.laneBusy.length >= MAX_WAIT_LANES) return; // not drawn (the `waiting` counter still counts it)
      lane = this.laneBusy.length;
      this.laneBusy.push(false);
      this.sink.nameThread(this.pid, WAIT_TID_BASE + lane, `waits #${lane}`);
    }
    this.laneBusy[lane] = true;
    this.parked.set(gp, { ts: now, reason, lane });
  }

  private endWait(gp: number, now: number): void {
    const w = this.parked.get(gp);
    if (!w) return;
    this.parked.delete(gp);
    this.laneBusy[w.lane] = false;
    this.sink.slice(this.pid, WAIT_TID_BASE + w.lane, w.reason || 'parked', w.ts, now, { gp });
  }

  instant(kind: 'steal' | 'preempt' | 'handoff' | 'syscall' | 'newm', pp: number, m: number, detail: string): void {
    const now = this.now;
    if (!this.sink.inWindow(now)) return;
    let tid = pp;
    if (pp < 0) {
      this.nameM(m);
      tid = m >= 0 ? M_TID_BASE + m : 0;
    }
    this.sink.push({ name: kind, ph: 'i', s: 't', ts: now / 1e3, pid: this.pid, tid, args: { detail } });
    if (kind === 'steal') this.stealFlow(pp, detail, now);
    else if (kind === 'handoff') this.noteHandoff(pp, m, now);
  }

  /** handoffp(pp) started M `m` for the P (m < 0: the P went idle, nobody to point at). */
  private noteHandoff(pp: number, m: number, now: number): void {
    const fromM = this.syscallM.get(pp);
    this.syscallM.delete(pp);
    if (fromM === undefined || m < 0 || m === fromM) return;
    this.nameM(fromM);
    this.handoffIn.set(pp, { ts: now, fromM, toM: m });
  }

  /** A steal's arrow: from the victim P's running slice to the thief's next run ("stole N from P<k>"). */
  private stealFlow(thief: number, detail: string, now: number): void {
    const victim = Number(/from P(\d+)/.exec(detail)?.[1] ?? -1);
    const v = this.open.get(victim);
    if (victim < 0 || !v || !(v.ts < now)) return; // no slice on the victim to start from
    const id = this.sink.flowId();
    if (this.sink.push({ name: 'steal', ph: 's', cat: 'steal', id, ts: now / 1e3, pid: this.pid, tid: victim }))
      this.stealIn.set(thief, id);
  }

  gcPhase(name: string, startNs: number, endNs: number, cycle: number): void {
    this.sink.slice(this.pid, GC_TID, name, startNs, endNs, { cycle });
  }

  assistChunk(pp: number, starts: boolean): void {
    if (starts) {
      this.assistStart[pp] = this.now;
      return;
    }
    const t0 = this.assistStart[pp]!;
    this.assistStart[pp] = NaN;
    if (!Number.isNaN(t0)) this.sink.slice(this.pid, pp, 'mark assist', t0, this.now);
  }

  /** The pod's container ended (killed, OOM-killed, or the end of the trace): close what is open. */
  finish(): void {
    const now = Math.min(this.now, this.sink.endNs);
    for (const [pp, o] of [...this.open]) {
      this.open.delete(pp);
      this.emitRun(pp, o, now, 'end of trace');
    }
    for (const gp of [...this.inSyscall.keys()]) this.endSyscall(gp, now);
    for (const gp of [...this.parked.keys()]) this.endWait(gp, now);
  }
}
