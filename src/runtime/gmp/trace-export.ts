import type { SchedTracer } from './sched.js';

/** One Chrome Trace Event (the JSON format ui.perfetto.dev and chrome://tracing open). */
interface TraceEvent {
  name: string;
  ph: 'X' | 'i' | 'M';
  ts?: number;
  dur?: number;
  pid: number;
  tid: number;
  s?: 't';
  args?: Record<string, unknown>;
}

const M_TID_BASE = 1000; // P tracks are tids 0..GOMAXPROCS-1, M tracks 1000 + M id

/**
 * Records scheduler activity as Chrome Trace Event JSON: a track per P and per M, a slice per G
 * execution, instant events for steals, preemptions, handoffs, syscalls and new Ms. Only activity
 * inside [startNs, endNs] is kept, so large runs stay small. Times are µs of simulated time.
 */
export class TraceRecorder implements SchedTracer {
  readonly events: TraceEvent[] = [];
  private readonly open = new Map<number, { ts: number; gp: number; goid: number; m: number }>();
  private readonly seenM = new Set<number>();

  constructor(
    private readonly clock: { readonly now: number },
    nP: number,
    private readonly startNs: number,
    private readonly endNs: number,
    private readonly pid = 1,
  ) {
    this.events.push({ name: 'process_name', ph: 'M', pid, tid: 0, args: { name: 'pod (Go runtime)' } });
    for (let p = 0; p < nP; p++) this.events.push({ name: 'thread_name', ph: 'M', pid, tid: p, args: { name: `P${p}` } });
  }

  private inWindow(t: number): boolean {
    return t >= this.startNs && t <= this.endNs;
  }

  private nameM(m: number): void {
    if (m < 0 || this.seenM.has(m)) return;
    this.seenM.add(m);
    this.events.push({ name: 'thread_name', ph: 'M', pid: this.pid, tid: M_TID_BASE + m, args: { name: `M${m}` } });
  }

  gStart(pp: number, m: number, gp: number, goid: number): void {
    this.open.set(pp, { ts: this.clock.now, gp, goid, m });
  }

  gStop(pp: number, _m: number, _gp: number, reason: string): void {
    const o = this.open.get(pp);
    if (!o) return;
    this.open.delete(pp);
    const start = Math.max(o.ts, this.startNs);
    const end = Math.min(this.clock.now, this.endNs);
    if (end < start) return;
    const slice = { name: `G${o.goid}`, ph: 'X' as const, ts: start / 1e3, dur: (end - start) / 1e3, args: { goid: o.goid, m: o.m, end: reason } };
    this.events.push({ ...slice, pid: this.pid, tid: pp });
    if (o.m >= 0) {
      this.nameM(o.m);
      this.events.push({ ...slice, pid: this.pid, tid: M_TID_BASE + o.m, args: { ...slice.args, p: pp } });
    }
  }

  instant(kind: 'steal' | 'preempt' | 'handoff' | 'syscall' | 'newm', pp: number, m: number, detail: string): void {
    const now = this.clock.now;
    if (!this.inWindow(now)) return;
    let tid = pp;
    if (pp < 0) {
      this.nameM(m);
      tid = m >= 0 ? M_TID_BASE + m : 0;
    }
    this.events.push({ name: kind, ph: 'i', s: 't', ts: now / 1e3, pid: this.pid, tid, args: { detail } });
  }

  /** Close slices still running at the end and return the trace document. */
  finish(): { traceEvents: TraceEvent[]; displayTimeUnit: 'ns' } {
    for (const pp of [...this.open.keys()]) this.gStop(pp, -1, -1, 'end of trace');
    return { traceEvents: this.events, displayTimeUnit: 'ns' };
  }
}
