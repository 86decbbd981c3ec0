import { GC_OFF } from '../gc/cycle.js';
import { STALL_GOMAXPROCS } from './cpu.js';
import { goschedImpl } from './goroutines.js';
import { RUNQ_SIZE } from './runq.js';
import type { Sched } from './sched.js';
import { Mwaking, Pdead, Pidle, Prunning, Psyscall } from './states.js';

/*
 * A live GOMAXPROCS change: runtime.GOMAXPROCS(n) in a running process (Go 1.19 debug.go GOMAXPROCS,
 * proc.go stopTheWorldWithSema / startTheWorldWithSema / procresize / (*p).destroy, time.go moveTimers).
 *
 *   GOMAXPROCS(n): n == gomaxprocs → nothing (no stop). stopTheWorldGC("GOMAXPROCS") first waits for a GC
 *   cycle under way to end (it takes gcsema, which the cycle holds from gcStart to mark termination), then
 *   stops the world: every running G is preempted (gopreempt_m → goschedImpl: to the *tail* of the global
 *   queue) and its M stops; every P in a syscall is taken (_Pgcstop, syscalltick++), so its M finds no P
 *   when the syscall returns. newprocs = n; startTheWorldGC → startTheWorldWithSema → procresize(n):
 *     - Ps old … n−1 are made (p.init) when n grows;
 *     - Ps n … old−1 are destroyed (p.destroy): their run queue, tail first, then runnext, pushed on the
 *       *head* of the global queue (globrunqputhead: they keep their order, runnext first); their timers
 *       moved to the caller's P (moveTimers); their free Gs to the global list (gfpurge); mcache flushed
 *       (freemcache); status _Pdead;
 *     - stealOrder.reset(n); each remaining P other than the caller's goes idle (pidleput, from P n−1 down
 *       to P0, so P0 is taken first) when its run queue is empty, else it is returned with an M (mget, or
 *       newm) to run it; then wakep() starts one spinning M for the global queue.
 *   The world is stopped for the time to preempt the running Gs (costs.preemptSignalUs, when one runs) plus
 *   procresize's own work (costs.procresizeUs): no P makes progress meanwhile.
 *
 * The caller is not a modelled G (the event comes from the scenario's timeline): it is taken to run on P0
 * (procresize gives a caller whose P is destroyed allp[0]) and to return at once, so P0 follows the same
 * idle-or-runnable rule as the others, and P0 receives the destroyed Ps' timers. Go ≥ 1.25 makes the same
 * change by itself after an in-place CPU-limit resize (sysmon's updateMaxProcsG: stopTheWorldGC, newprocs,
 * startTheWorldGC — the same procresize, within a second of the cgroup change); this model does not change
 * the container's CPU limit in place, so the timeline event means the program's own call.
 *
 * Two simplifications: a waking M (startm, not yet running) or one in runqgrab's usleep keeps a P that
 * survives (Go would stop it at its next schedule and hand the P out again); one whose P is destroyed gets
 * an idle P if there is one, else it stops when it runs (mstart / runnextStealRetry see no P). A GC stop
 * cannot start inside this one in Go (gcsema); here a G that allocates before its first CPU burst in the
 * pause may start a cycle, whose stall then overlaps this one (each has its own stall bit).
 */

/** What a pod's live GOMAXPROCS changes did, and a change waiting for the GC cycle to end. */
export class ProcResize {
  /** newprocs: a GOMAXPROCS waiting in stopTheWorldGC for the cycle under way (0: none). */
  newprocs = 0;
  /** Changes made; Ps destroyed and made; Gs preempted by the stop; Gs and timers moved; the pause, ns. */
  resizes = 0;
  destroyed = 0;
  created = 0;
  preempted = 0;
  movedGs = 0;
  movedTimers = 0;
  stwNs = 0;
  /** Engine kinds: stop the world for newprocs (arg: n), and start it again. */
  readonly kStop: number;
  readonly kStart: number;

  constructor(s: Sched) {
    this.kStop = s.sim.registerKind('gmp.gomaxprocs', (_t, n) => GOMAXPROCS(s, n));
    this.kStart = s.sim.registerKind('gmp.gomaxprocs-start-world', () => s.cpu.unstall(STALL_GOMAXPROCS));
  }
}

/**
 * runtime.GOMAXPROCS(n) called now in the pod's process: returns the previous setting. During a GC cycle
 * the change waits for its end (procresizeAfterGC); otherwise the world stops now.
 */
export function GOMAXPROCS(s: Sched, n: number): number {
  const ret = s.nP;
  if (!Number.isInteger(n) || n < 1 || n > s.pCap) {
    throw new Error(`GOMAXPROCS(${n}): expected an integer from 1 to the pod's most Ps (${s.pCap})`);
  }
  if (s.dead) return ret;
  s.procresize ??= new ProcResize(s);
  const st = s.procresize;
  if (s.gc !== undefined && s.gc.phase !== GC_OFF) {
    st.newprocs = n; // stopTheWorldGC: blocked on gcsema until the cycle ends
    return ret;
  }
  st.newprocs = 0;
  if (n === ret) return ret;
  const pause = (s.cpu.anyBurst() ? s.cfg.costs.preemptSignalNs : 0) + (s.cfg.costs.procresizeNs ?? 0);
  s.cpu.stall(STALL_GOMAXPROCS);
  const runnable = procresize(s, n);
  // startTheWorldWithSema: an M for each P with work, then one spinning M for the global queue.
  for (const pp of runnable) s.startm(pp, false);
  s.wakep();
  st.resizes++;
  st.stwNs += pause;
  s.sim.schedule(pause, st.kStart);
  return ret;
}

/** The GC's startTheWorld: a GOMAXPROCS that waited for the cycle's end goes on (in its own event). */
export function procresizeAfterGC(s: Sched): void {
  const st = s.procresize;
  if (st === undefined || st.newprocs === 0 || s.gc?.phase !== GC_OFF) return;
  s.sim.schedule(0, st.kStop, 0, st.newprocs);
  st.newprocs = 0;
}

/**
 * The world stopped for GOMAXPROCS, then procresize(nprocs): returns the Ps with local work, each to be
 * given an M (startTheWorldWithSema). Exported for the rule table (test/runtime/procresize.test.ts).
 */
export function procresize(s: Sched, nprocs: number): number[] {
  s.procresize ??= new ProcResize(s);
  const st = s.procresize;
  const old = s.nP;
  const plocal = 0;
  // stopTheWorldWithSema: preempt every running G, take every P in a syscall.
  for (let pp = 0; pp < old; pp++) {
    const status = s.pStatus[pp];
    if (status === Psyscall) {
      s.pStatus[pp] = Pidle;
      s.nPsyscall--;
      s.syscalltick[pp]!++;
      s.sysmon.pHidden(pp);
    } else if (status === Prunning && s.pCurG[pp]! >= 0) {
      stopG(s, pp);
      st.preempted++;
    }
  }
  // p.destroy for the Ps above nprocs.
  for (let pp = nprocs; pp < old; pp++) {
    st.movedGs += destroy(s, pp, plocal);
    st.destroyed++;
  }
  // p.init for the new ones (a P destroyed earlier comes back with its ticks; its queues are empty).
  for (let pp = old; pp < nprocs; pp++) {
    s.pStatus[pp] = Pidle;
    s.pM[pp] = -1;
    st.created++;
  }
  s.nP = nprocs;
  s.steal.reset(nprocs);
  // The idle list from P nprocs−1 down to P0 (P0 on top); Ps with work are returned.
  s.npidle = 0;
  const runnable: number[] = [];
  for (let pp = nprocs - 1; pp >= 0; pp--) {
    if (s.pM[pp]! >= 0) continue; // held by an M that is waking or in runqgrab's usleep
    s.pStatus[pp] = Pidle;
    if (s.rq.runqempty(pp)) s.pidle[s.npidle++] = pp;
    else runnable.unshift(pp);
  }
  // Ms that held a destroyed P (waking, or asleep in runqgrab): another P if one is idle, else none.
  for (let m = 0; m < s.mcount; m++) {
    const waking = s.mStatus[m] === Mwaking;
    const held = waking ? s.mNextP[m]! : s.mP[m]!;
    if (held < nprocs || s.pStatus[held] !== Pdead) continue;
    const pp = s.npidle > 0 ? s.pidle[--s.npidle]! : -1;
    if (waking) s.mNextP[m] = pp;
    else s.mP[m] = pp;
    if (pp >= 0) {
      s.pStatus[pp] = Prunning;
      s.pM[pp] = m;
    } else if (s.mSpinning[m]) {
      s.mSpinning[m] = 0;
      s.nmspinning--;
    }
  }
  if (s.npidle === nprocs) s.sysmon.noteAllIdle();
  else s.sysmon.poke();
  return runnable;
}

/** The stop preempts pp's running G (gopreempt_m → goschedImpl: global queue) and stops its M. */
function stopG(s: Sched, pp: number): void {
  const gp = s.pCurG[pp]!;
  const m = s.pM[pp]!;
  const left = s.cpu.dropBurst(pp);
  if (left >= 0) {
    s.mark.preemptAssist(pp, gp);
    if (s.cpu.burstWork[pp]) s.g.workLeft[gp] = Math.max(0, Math.min(s.g.workLeft[gp]!, left));
  }
  goschedImpl(s, pp, gp, 'GOMAXPROCS');
  s.pM[pp] = -1;
  s.pStatus[pp] = Pidle;
  s.stopm(m);
}

/**
 * p.destroy: pp's run queue (tail first) and then runnext onto the head of the global queue, its timers
 * to plocal, its free Gs to the global list; _Pdead. Returns the Gs moved.
 */
function destroy(s: Sched, pp: number, plocal: number): number {
  const rq = s.rq;
  let moved = 0;
  for (let t = rq.runqtail[pp]!; t > rq.runqhead[pp]!; t--) {
    rq.globrunqputhead(rq.runq[pp * RUNQ_SIZE + ((t - 1) % RUNQ_SIZE)]!);
    moved++;
  }
  rq.runqtail[pp] = rq.runqhead[pp]!;
  if (rq.runnext[pp] !== -1) {
    rq.globrunqputhead(rq.runnext[pp]!);
    rq.runnext[pp] = -1;
    moved++;
  }
  s.procresize!.movedTimers += s.timers.moveTimers(pp, plocal);
  s.gfree.gfpurge(pp);
  // A P idle on the list is dropped from it by the rebuild; its M (none) and G (none) are already gone.
  s.pStatus[pp] = Pdead;
  s.pM[pp] = -1;
  return moved;
}
