import { mixKey } from '../../engine/random.js';
import { ASSIST_GO_ON } from '../gc/mark.js';
import { CHAN_BLOCK } from './chan.js';
import { callPark } from './dependency-call.js';
import { goexit, gopark, goschedImpl, goyield, newproc, ready } from './goroutines.js';
import { mallocgcNs } from './malloc.js';
import { addtimer } from './poller.js';
import { Op } from './program.js';
import type { Sched } from './sched.js';
import { selectTimerId } from './select.js';
import {
  Gwaiting,
  WAIT_CHAN_RECEIVE,
  WAIT_CHAN_SEND,
  WAIT_GC_ASSIST,
  WAIT_GC_WORKER,
  WAIT_IO,
  WAIT_SELECT,
  WAIT_SLEEP,
  WAIT_SYNC_MUTEX,
  WAIT_SYNC_RWMUTEX_R,
  WAIT_SYNC_RWMUTEX_W,
} from './states.js';

/*
 * The program interpreter: what a G does while it holds a P. Not a file of Go's runtime — the compiled
 * user code a real G runs after execute/gogo — plus the two runtime loops that run on a G's behalf
 * between its ops: gcBgMarkWorker (mgc.go) and gcAssistAlloc (mgcmark.go), whose state is in
 * gc/mark.ts. Plain functions over the Sched state (no closures per event); everything that changes the
 * P/M/G lifecycle is the scheduler's (sched.ts) or goroutines.ts's.
 */

/**
 * Interpret gp's ops from its pc until it blocks, parks or starts a CPU burst. `overheadNs` (context
 * switch, steal, goroutine creation) occupies the P before the next CPU burst; before an op that gives
 * up the P it is paid as a burst of its own (giveUpP) so the P's time is accounted for, and the op runs
 * again when that burst ends. One case per Op; the compiler checks that none is missing.
 */
export function interpret(s: Sched, pp: number, gp: number, overheadNs: number): void {
  const g = s.g,
    progs = s.progs;
  for (;;) {
    const pc = g.pc[gp]!;
    const op = progs.op[pc]! as Op;
    let m: number;
    switch (op) {
      case Op.Cpu: {
        if (g.workLeft[gp]! < 0) {
          const w = progs.draw(progs.arg[pc]!, g.drawKey(gp), pc);
          // A burst that starts while the write barrier is on runs slower.
          g.workLeft[gp] = s.gc?.marking ? w * s.gc.cfg.writeBarrierSlowdown : w;
        }
        let work = g.workLeft[gp]!;
        if (s.cpu.pNode !== undefined) work = s.cpu.numaWork(pp, gp, work);
        s.cpu.startBurst(pp, overheadNs + work, true);
        return;
      }
      case Op.Alloc: {
        g.pc[gp] = pc + 1;
        const bytes = progs.draw(progs.arg[pc]!, g.drawKey(gp), pc);
        const malloc = s.cfg.costs.malloc;
        if (malloc) overheadNs += mallocgcNs(bytes, progs.arg2[pc]!, malloc); // the allocation's own CPU
        const r = s.gc ? s.gc.alloc(gp, bytes) : 0;
        if (s.gc) overheadNs += s.gc.sweepNs; // proportional sweeping before the allocation
        s.noteMemory();
        if (r === 0) continue;
        // Mark assist: the G scans in chunks before it goes on, or parks (pending overhead ≤ µs dropped).
        if (r > 0) s.mark.startAssist(pp);
        if (assistNext(s, pp, gp, overheadNs, r < 0)) return;
        continue;
      }
      case Op.StackGrow:
        overheadNs += s.stacks!.morestack(gp, progs.arg[pc]!) * (s.cfg.costs.stackCopyNsPerByte ?? 0);
        g.pc[gp] = pc + 1;
        continue;
      case Op.StackPop:
        s.stacks!.pop(gp);
        g.pc[gp] = pc + 1;
        continue;
      case Op.GcMark:
        gcMarkWorkerStep(s, pp, gp, overheadNs);
        return;
      case Op.Spawn: {
        const child = progs.arg[pc]!,
          count = progs.arg2[pc]!;
        for (let k = 0; k < count; k++) newproc(s, pp, gp, child, mixKey(mixKey(g.drawKey(gp), pc), k));
        g.pc[gp] = pc + 1;
        overheadNs += count * s.cfg.costs.goroutineCreateNs;
        continue;
      }
      case Op.Unlock: {
        const w = s.mutexes.unlock(progs.arg[pc]!);
        if (w !== -1) ready(s, w, pp);
        g.pc[gp] = pc + 1;
        // semrelease with handoff (starvation mode) yields to the new owner; not with overhead pending.
        if (!s.mutexes.handoff || overheadNs > 0) continue;
        m = s.pM[pp]!;
        goyield(s, pp, gp);
        break;
      }
      case Op.Lock: {
        const mu = progs.arg[pc]!;
        if (s.mutexes.tryLock(mu, gp, s.sim.now)) {
          g.pc[gp] = pc + 1;
          continue;
        }
        m = giveUpP(s, pp, overheadNs);
        if (m < 0) return;
        // pc stays on the Lock: woken, the G runs it again (it holds the mutex if it was handed off).
        gopark(s, pp, gp, WAIT_SYNC_MUTEX);
        s.mutexes.park(mu, gp, s.sim.now);
        break;
      }
      case Op.RLock:
      case Op.WLock: {
        if (overheadNs > 0) {
          s.cpu.startBurst(pp, overheadNs, false); // paid first: the op runs again when it ends
          return;
        }
        const rw = progs.arg[pc]!;
        g.pc[gp] = pc + 1;
        if (op === Op.RLock ? s.rwmutexes.rlock(rw, gp) : s.rwmutexes.lock(rw, gp)) continue;
        m = s.pM[pp]!; // queued: readied once it holds the lock
        gopark(s, pp, gp, op === Op.RLock ? WAIT_SYNC_RWMUTEX_R : WAIT_SYNC_RWMUTEX_W);
        break;
      }
      case Op.RUnlock: {
        const w = s.rwmutexes.runlock(progs.arg[pc]!);
        if (w !== -1) ready(s, w, pp);
        g.pc[gp] = pc + 1;
        continue;
      }
      case Op.WUnlock: {
        const n = s.rwmutexes.unlock(progs.arg[pc]!);
        for (let i = 0; i < n; i++) ready(s, s.rwmutexes.woken[i]!, pp);
        g.pc[gp] = pc + 1;
        continue;
      }
      case Op.Select: {
        // selectgo: poll the channel case; else park on the channel and the timer (select.ts).
        const k = progs.arg[pc]!,
          ch = progs.selectChan[k]!,
          send = progs.selectSend[k]!;
        const r = send ? s.chans.chansend(ch) : s.chans.chanrecv(ch);
        if (r !== CHAN_BLOCK) {
          if (r !== -1) ready(s, r, pp);
          g.pc[gp] = pc + 1;
          overheadNs += s.cfg.costs.chanOpNs;
          continue;
        }
        m = giveUpP(s, pp, overheadNs);
        if (m < 0) return;
        g.pc[gp] = pc + 1; // the channel case's branch; the timer sets the timeout branch's pc
        gopark(s, pp, gp, WAIT_SELECT);
        if (send) s.chans.parkSend(ch, gp);
        else s.chans.parkRecv(ch, gp);
        const slot = s.selects.arm(gp, ch, send, pc + progs.arg2[pc]!);
        addtimer(s, pp, selectTimerId(slot), s.sim.now + progs.draw(progs.selectTimeout[k]!, g.drawKey(gp), pc));
        break;
      }
      case Op.Jump:
        g.pc[gp] = pc + progs.arg[pc]!;
        continue;
      case Op.Close: {
        const n = s.chans.closechan(progs.arg[pc]!);
        for (let i = 0; i < n; i++) ready(s, s.chans.woken[i]!, pp);
        g.pc[gp] = pc + 1;
        overheadNs += s.cfg.costs.chanOpNs;
        continue;
      }
      case Op.Send:
      case Op.Recv: {
        const ch = progs.arg[pc]!;
        const r = op === Op.Send ? s.chans.chansend(ch) : s.chans.chanrecv(ch);
        if (r !== CHAN_BLOCK) {
          if (r !== -1) ready(s, r, pp);
          g.pc[gp] = pc + 1;
          overheadNs += s.cfg.costs.chanOpNs;
          continue;
        }
        // gopark on the channel's sendq/recvq; the partner completes the transfer and readies gp.
        m = giveUpP(s, pp, overheadNs);
        if (m < 0) return;
        g.pc[gp] = pc + 1;
        gopark(s, pp, gp, op === Op.Send ? WAIT_CHAN_SEND : WAIT_CHAN_RECEIVE);
        if (op === Op.Send) s.chans.parkSend(ch, gp);
        else s.chans.parkRecv(ch, gp);
        break;
      }
      case Op.WaitChildren:
        if (g.children[gp] === 0) {
          g.pc[gp] = pc + 1;
          continue;
        }
        m = giveUpP(s, pp, overheadNs);
        if (m < 0) return;
        g.pc[gp] = pc + 1;
        gopark(s, pp, gp, WAIT_CHAN_RECEIVE);
        break;
      case Op.End:
        m = giveUpP(s, pp, overheadNs);
        if (m < 0) return;
        goexit(s, pp, gp);
        break;
      case Op.Syscall:
        if (giveUpP(s, pp, overheadNs) < 0) return;
        g.pc[gp] = pc + 1;
        s.entersyscall(pp, gp, progs.draw(progs.arg[pc]!, g.drawKey(gp), pc));
        return; // the M is blocked; the P stays with it until exitsyscall or retake
      case Op.Netpoll:
        m = giveUpP(s, pp, overheadNs);
        if (m < 0) return;
        g.pc[gp] = pc + 1;
        gopark(s, pp, gp, WAIT_IO);
        s.netpoll.ioWaitAdd(
          progs.draw(progs.arg[pc]!, g.drawKey(gp), pc),
          s.cfg.network?.delayNs(g.drawKey(gp), pc) ?? 0,
          gp,
        );
        break;
      case Op.Call:
        // A call to a dependency through the pod's pool: parked in netpoll (dependency-call.ts).
        m = giveUpP(s, pp, overheadNs);
        if (m < 0) return;
        g.pc[gp] = pc + 1;
        callPark(s, pp, gp, pc, progs.arg[pc]!);
        break;
      case Op.Sleep:
        m = giveUpP(s, pp, overheadNs);
        if (m < 0) return;
        g.pc[gp] = pc + 1;
        gopark(s, pp, gp, WAIT_SLEEP);
        addtimer(s, pp, gp, s.sim.now + progs.draw(progs.arg[pc]!, g.drawKey(gp), pc));
        break;
      case Op.Gosched:
        m = giveUpP(s, pp, overheadNs);
        if (m < 0) return;
        g.pc[gp] = pc + 1;
        goschedImpl(s, pp, gp, 'gosched');
        break;
      default: {
        const unknown: never = op;
        throw new Error(`gmp: unknown op ${unknown as number}`);
      }
    }
    // gp parked, exited or yielded: its M looks for the next G.
    s.schedule(m);
    return;
  }
}

/**
 * Before an op that gives up the P (or the M): pending overhead is first paid as a burst of its own
 * (-1: the op runs again when it ends); with none, the M that holds pp.
 */
function giveUpP(s: Sched, pp: number, overheadNs: number): number {
  if (overheadNs > 0) {
    s.cpu.startBurst(pp, overheadNs, false);
    return -1;
  }
  return s.pM[pp]!;
}

/**
 * gcBgMarkStartWorkers (mgc.go): one background mark worker G per P (G index = P), parked until a mark
 * phase; one for every P there may be (s.pCap: Go starts one for each new P at the next cycle).
 */
export function gcBgMarkStartWorkers(s: Sched): void {
  const g = s.g,
    progs = s.progs;
  for (let p = 0; p < s.pCap; p++) {
    const gp = g.add();
    g.status[gp] = Gwaiting;
    g.waitReason[gp] = WAIT_GC_WORKER;
    g.prog[gp] = progs.gcWorkerProg;
    g.pc[gp] = progs.start[progs.gcWorkerProg]!;
    g.workLeft[gp] = -1;
    g.goid[gp] = ++s.goidgen;
  }
}

/**
 * gcBgMarkWorker's loop on pp: credit the chunk just scanned, then scan another (gcDrain) or, when the
 * mode says stop (no work; a fractional worker over its share; an idle worker with other work), park.
 */
function gcMarkWorkerStep(s: Sched, pp: number, gp: number, overheadNs: number): void {
  s.mark.workerCredit(pp);
  // pollWork: runnable Gs, or network-ready Gs no M is blocked in netpoll for.
  const otherWork = !s.rq.runqempty(pp) || s.rq.runqsize !== 0 || (s.netpoll.pending() > 0 && s.netpoll.pollerM < 0);
  const ns = s.mark.workerNext(pp, otherWork);
  if (ns >= 0) {
    s.cpu.startBurst(pp, overheadNs + ns, false);
    return;
  }
  const m = s.pM[pp]!;
  gopark(s, pp, gp, WAIT_GC_WORKER);
  s.schedule(m);
}

/** An assist chunk ended: credit it, then scan on, park, or (false) let the G continue its program. */
function assistEnded(s: Sched, pp: number): boolean {
  const gp = s.pCurG[pp]!;
  s.mark.assistChunkEnded(pp, gp);
  return assistNext(s, pp, gp, 0, false);
}

/**
 * gcAssistAlloc's loop: scan the next chunk of the G's assist (true: a burst started), or, out of work
 * while still in debt during a mark (or told to park), gcParkAssist (true: parked). False: go on.
 */
function assistNext(s: Sched, pp: number, gp: number, overheadNs: number, park: boolean): boolean {
  const ns = s.mark.assistNext(pp, gp, park);
  if (ns >= 0) {
    s.cpu.startBurst(pp, overheadNs + ns, false);
    return true;
  }
  if (ns === ASSIST_GO_ON) return false;
  const m = s.pM[pp]!;
  gopark(s, pp, gp, WAIT_GC_ASSIST);
  s.schedule(m);
  return true;
}

export function burstEnded(s: Sched, pp: number): void {
  s.cpu.burstEnded(pp);
  if (s.mark.assistWork[pp]! > 0 && assistEnded(s, pp)) return;
  const gp = s.pCurG[pp]!;
  if (s.cpu.burstWork[pp]) {
    s.g.workLeft[gp] = -1;
    s.g.pc[gp]!++;
  }
  interpret(s, pp, gp, 0);
}
