import { Op } from './program.js';
import type { Sched } from './sched.js';
import { Gdead, Grunnable, Gwaiting, WAIT_NONE } from './states.js';

/*
 * A G's life (proc.go): newproc/newproc1 and gfget, ready, gopark, goexit0 and gfput, goschedImpl and
 * gopreempt_m, dropg. Plain functions over the Sched state; the P/M side (wakep, startm, schedule) stays
 * in sched.ts.
 */

/** newproc1/gfget: a G running program `prog`, reusing a dead G from pp's (or the global) free list. */
export function newG(s: Sched, prog: number, request: number, parent: number, pp: number): number {
  const g = s.g;
  let gp = -1;
  if (pp >= 0) gp = s.gfree.gfget(pp);
  else gp = s.gfree.gfgetGlobal();
  if (gp < 0) {
    gp = g.add();
    s.gc?.ensureCapacity(g.capacity);
    s.stacks?.ensureCapacity(g.capacity);
    s.cpu.ensureCapacity(g.capacity);
  }
  s.cpu.newG(gp, pp); // NUMA first touch
  g.status[gp] = Grunnable;
  g.waitReason[gp] = WAIT_NONE;
  g.prog[gp] = prog;
  g.pc[gp] = s.progs.start[prog]!;
  g.workLeft[gp] = -1;
  g.request[gp] = request;
  g.parent[gp] = parent;
  g.children[gp] = 0;
  g.m[gp] = -1;
  g.link[gp] = -1;
  g.goid[gp] = ++s.goidgen;
  s.stats.gCreated++;
  return gp;
}

/** ready/goready: a parked G becomes runnable in the runnext of the P that readied it, then wakep. */
export function ready(s: Sched, gp: number, pp: number): void {
  s.g.status[gp] = Grunnable;
  s.g.waitReason[gp] = WAIT_NONE;
  s.rq.runqput(pp, gp, true);
  s.wakep();
}

/** The P stops running its G (park, exit, syscall, preemption): dropg. */
export function dropg(s: Sched, pp: number, reason: string): void {
  const gp = s.pCurG[pp]!;
  const m = s.pM[pp]!;
  s.tracer?.gStop(pp, m, gp, reason);
  s.pCurG[pp] = -1;
  if (m >= 0) s.mCurG[m] = -1;
  s.running--;
  // A G entering a syscall leaves its P _Psyscall: still visible to sysmon's retake.
  if (reason !== 'syscall') s.sysmon.pHidden(pp);
}

/** Parked Gs become runnable on the global queue, with an M started per idle P (injectglist without a P). */
export function injectRunnable(s: Sched, gs: readonly number[]): void {
  for (const gp of gs) {
    s.g.status[gp] = Grunnable;
    s.g.waitReason[gp] = WAIT_NONE;
    s.rq.globrunqput(gp);
  }
  for (let n = gs.length; n > 0 && s.npidle > 0; n--) s.startm(-1, false);
}

/** newproc: the child goes to the creator's runnext, then wakep. */
export function newproc(s: Sched, pp: number, parent: number, prog: number, drawKey: number): void {
  const gp = newG(s, prog, -1, parent, pp);
  s.g.setChild(gp, drawKey);
  s.g.children[parent]!++;
  s.rq.runqput(pp, gp, true);
  s.wakep();
}

/** gopark: gp waits; the P goes back to the scheduler. */
export function gopark(s: Sched, pp: number, gp: number, reason: number): void {
  s.g.status[gp] = Gwaiting;
  s.g.waitReason[gp] = reason;
  s.g.m[gp] = -1;
  dropg(s, pp, 'park');
}

/** goexit: the G finishes; its request completes or its parent is told (a channel send). */
export function goexit(s: Sched, pp: number, gp: number): void {
  const g = s.g;
  dropg(s, pp, 'exit');
  g.status[gp] = Gdead;
  g.m[gp] = -1;
  s.stats.gExited++;
  s.gc?.gExit(gp);
  s.stacks?.gfree(gp);
  const req = g.request[gp]!;
  const parent = g.liveParent(gp);
  if (parent >= 0) childExited(s, pp, parent);
  g.request[gp] = -1;
  g.parent[gp] = -1;
  s.gfree.gfput(pp, gp);
  if (req >= 0) s.sink.complete(req);
}

/**
 * A child G exited: its parent is woken when it was the last and the parent waits for its children (not if
 * it is parked on a channel of its own). Out of goexit, which every request's G runs (issue 24: inlining).
 */
function childExited(s: Sched, pp: number, parent: number): void {
  const g = s.g;
  if (--g.children[parent]! === 0 && g.status[parent] === Gwaiting && s.progs.op[g.pc[parent]! - 1] === Op.WaitChildren)
    ready(s, parent, pp);
}

/** goschedImpl (Gosched, time-slice preemption): the G goes to the *global* queue. */
export function goschedImpl(s: Sched, pp: number, gp: number, reason: string): void {
  s.g.status[gp] = Grunnable;
  s.g.m[gp] = -1;
  dropg(s, pp, reason);
  s.rq.globrunqput(gp);
}

/** goyield (proc.go goyield_m, after semrelease's hand-off): gp goes to the tail of pp's own run queue. */
export function goyield(s: Sched, pp: number, gp: number): void {
  s.g.status[gp] = Grunnable;
  s.g.m[gp] = -1;
  dropg(s, pp, 'yield');
  s.rq.runqput(pp, gp, false);
}

/** The async preemption lands: if the same slice is still running, gopreempt_m → goschedImpl. */
export function preemptPark(s: Sched, pp: number, tick: number): void {
  if (s.schedtick[pp] !== tick || s.pCurG[pp]! < 0 || s.cpu.burstH[pp]! < 0) return;
  const gp = s.pCurG[pp]!;
  s.cpu.stopBurst(pp);
  const left = s.cpu.workLeftNs(pp);
  s.mark.preemptAssist(pp, gp); // a preempted assist's chunk counts as scanned
  if (s.cpu.burstWork[pp]) s.g.workLeft[gp] = Math.max(0, Math.min(s.g.workLeft[gp]!, left));
  s.stats.preemptions++;
  s.tracer?.instant('preempt', pp, s.pM[pp]!, `G${s.g.goid[gp]} preempted`);
  const m = s.pM[pp]!;
  goschedImpl(s, pp, gp, 'preempted');
  s.schedule(m);
}
