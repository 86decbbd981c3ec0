import { ready } from './goroutines.js';
import type { Sched } from './sched.js';
import { Mpolling, Mrunning, Pidle } from './states.js';

/*
 * The poller M and the Gs that I/O and timers make ready: netpoll.go's netpollready, proc.go's injectglist,
 * findRunnable's blocking netpoll(delay) (becomePoller, netpollWake), and time.go's addtimer with
 * wakeNetPoller, proc.go's checkTimers. The state is in the leaves netpoll.ts and timers.ts; these plain
 * functions over the Sched state put what they return into the run queues and wake Ms.
 */

/** I/O completed: the Gs become ready in the netpoller (netpollready), earliest and first-parked first. */
export function ioDue(s: Sched): void {
  const now = s.sim.now;
  for (let gp = s.netpoll.ioDue(now); gp >= 0; gp = s.netpoll.ioDue(now)) netpollready(s, gp);
  s.netpoll.rearmIo();
}

/** The network made gp ready: a blocked poller wakes at once; otherwise it waits for a poll. */
export function netpollready(s: Sched, gp: number): void {
  const pending = s.netpoll.ready(gp);
  if (s.cfg.netpoll === 'always-polling') {
    // As if an M were always blocked in netpoll: inject at once (global queue, an M per idle P).
    injectglist(s, -1);
    return;
  }
  if (s.netpoll.pollerM >= 0) s.netpoll.wakeAfter(s.cfg.costs.threadWakeNs);
  else if (pending === 1) s.sysmon.poke(); // sysmon's 10 ms poll now has work
}

/**
 * injectglist: with a P, one G per idle P goes to the global queue (and an M is started for each),
 * the rest to pp's local queue; without a P, all go to the global queue. Takes all netpoll-ready Gs.
 */
export function injectglist(s: Sched, pp: number): void {
  let n = s.netpoll.pending();
  if (n === 0) return;
  if (pp < 0) {
    for (let i = 0; i < n; i++) s.rq.globrunqput(s.netpoll.take());
    for (; n > 0 && s.npidle > 0; n--) s.startm(-1, false);
    return;
  }
  let toGlobal = Math.min(s.npidle, n);
  const started = toGlobal;
  for (; toGlobal > 0; toGlobal--, n--) s.rq.globrunqput(s.netpoll.take());
  for (let i = 0; i < started && s.npidle > 0; i++) s.startm(-1, false);
  for (; n > 0; n--) s.rq.runqput(pp, s.netpoll.take(), false);
}

/** The last M out blocks in netpoll(delay) until I/O or the next timer (sched.lastpoll = 0). */
export function becomePoller(s: Sched, m: number): void {
  s.mStatus[m] = Mpolling;
  s.mP[m] = -1;
  s.mCurG[m] = -1;
  s.netpoll.block(m);
  // netpoll(delay) until the next timer. Due timers of running Ps are left to those Ps' own
  // checkTimers; only a due timer on an idle P needs this M.
  if (s.netpoll.pending() > 0 || s.idlePWithDueTimers() >= 0) s.netpoll.wakeAfter(0);
  else s.netpoll.wake(s.timers.nextPending());
}

/** netpoll returns (I/O or timeout): take an idle P and run, or inject everything and stopm. */
export function netpollWake(s: Sched, m: number): void {
  s.netpoll.unblock();
  s.sysmon.lastpoll = s.sim.now;
  // Take the idle P whose timers are due, if any (its checkTimers then runs them), else any.
  const pp = s.pidlegetPrefer(s.idlePWithDueTimers());
  if (pp < 0) {
    injectglist(s, -1);
    s.stopm(m);
    return;
  }
  s.mStatus[m] = Mrunning;
  s.acquirep(m, pp);
  if (s.netpoll.pending() > 0) {
    const gp = s.netpoll.take();
    injectglist(s, pp);
    s.execute(m, pp, gp, false, 0);
    return;
  }
  s.schedule(m);
}

/**
 * addtimer on pp (`gp`: the sleeping G, or a select's timer id); wakeNetPoller: shorten the poller's sleep, or
 * wakep if nobody polls.
 */
export function addtimer(s: Sched, pp: number, gp: number, when: number): void {
  s.timers.addtimer(pp, gp, when);
  if (s.netpoll.pollerM >= 0) s.netpoll.wake(when);
  else s.wakep();
}

/** The earliest timers are due: each joins its P's due list, in deadline then insertion order. */
export function timersDue(s: Sched): void {
  const now = s.sim.now;
  for (let pp = s.timers.fireDue(now); pp >= 0; pp = s.timers.fireDue(now)) timerFired(s, pp);
  s.timers.rearm();
}

/** A timer of pp is due: it waits on pp's list until checkTimers runs there (or a thief runs it). */
function timerFired(s: Sched, pp: number): void {
  if (s.pStatus[pp] === Pidle && s.pM[pp] === -1) {
    if (s.netpoll.pollerM >= 0)
      s.netpoll.wake(s.sim.now); // netpoll(delay) times out for it
    else s.wakep();
  } else if (s.npidle > 0) s.sysmon.poke(); // "next < now": sysmon starts an M for it
}

/** checkTimers(timersOf, runOn): run timersOf's due timers; each G is readied onto runOn's runnext. */
export function checkTimers(s: Sched, timersOf: number, runOn: number): void {
  if (s.dueCount[timersOf] === 0) return;
  // ready() never fires a timer synchronously, so the list cannot grow while it is drained.
  const n = s.timers.takeDue(timersOf, s.sim.now);
  const gs = s.timers.dueGs(timersOf);
  for (let i = 0; i < n; i++) {
    const id = gs[i]!;
    if (id >= 0) ready(s, id, runOn);
    else selectTimedOut(s, ~id, runOn);
  }
}

/**
 * A select's timer fired (select.ts): if its G still waits in that select, it leaves the channel's queue
 * and is readied at its timeout branch; a stale timer (the channel won) does nothing.
 */
function selectTimedOut(s: Sched, slot: number, runOn: number): void {
  const sel = s.selects;
  const gp = sel.fired(slot, s.g.waitReason);
  if (gp < 0) return;
  s.chans.unpark(sel.firedChan, sel.firedSend, gp);
  s.g.pc[gp] = sel.firedPc;
  ready(s, gp, runOn);
}
