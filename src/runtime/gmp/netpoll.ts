import { DeadlineHeap } from '../../engine/deadline-heap.js';
import type { Simulation } from '../../engine/simulation.js';
import type { GTable } from './gtable.js';
import { Grunnable, WAIT_NONE } from './states.js';

/**
 * The network poller (netpoll.go) of one pod: Gs parked on network I/O by completion time (the network,
 * outside the runtime, behind one engine event at the earliest), the Gs the poller has found ready but no
 * M has taken yet, and the M blocked in netpoll(delay) with the time it will wake (netpollBreak shortens
 * it). A leaf: it answers with Gs and times; the scheduler injects the Gs and runs the poller M.
 */
export class Netpoll {
  /** The ready Gs in [readyHead, readyTail), oldest first (typed arrays: no garbage per G). */
  private readyQ = new Int32Array(64);
  /** When each G in readyQ was made ready (netpoll delay: until an M takes it). */
  private readyAt = new Float64Array(64);
  private readyHead = 0;
  private readyTail = 0;
  /** Gs taken from the ready list, and their summed wait there (ready → runnable), ns. */
  taken = 0;
  delayNs = 0;
  private readonly ioWait = new DeadlineHeap(1024);
  private ioEventH = -1;
  private ioEventAt = Infinity;
  /** The M blocked in netpoll(delay), or -1 (then sched.lastpoll != 0). */
  pollerM = -1;
  private pollerWakeH = -1;
  private pollerWakeAt = Infinity;

  /**
   * `kIoReady`: the owner's engine kind for "the earliest I/O completed" (it then calls ioDue until -1,
   * then rearmIo); `kPollWake`: for "the blocked poller M wakes" (argument: the M).
   */
  constructor(
    private readonly sim: Simulation,
    private readonly g: GTable,
    private readonly kIoReady: number,
    private readonly kPollWake: number,
  ) {}

  /** Gs the poller found ready that no M has taken yet. */
  pending(): number {
    return this.readyTail - this.readyHead;
  }

  /** netpollready: gp's I/O is ready; returns the Gs pending now. */
  ready(gp: number): number {
    if (this.readyTail === this.readyQ.length) this.readyRoom();
    this.readyQ[this.readyTail] = gp;
    this.readyAt[this.readyTail++] = this.sim.now;
    return this.readyTail - this.readyHead;
  }

  /** The ready list is full at its end: slide it to the front, or double it. */
  private readyRoom(): void {
    const n = this.readyTail - this.readyHead;
    if (n * 2 <= this.readyQ.length) {
      this.readyQ.copyWithin(0, this.readyHead, this.readyTail);
      this.readyAt.copyWithin(0, this.readyHead, this.readyTail);
    } else {
      const q = new Int32Array(this.readyQ.length * 2);
      q.set(this.readyQ.subarray(this.readyHead, this.readyTail));
      this.readyQ = q;
      const at = new Float64Array(q.length);
      at.set(this.readyAt.subarray(this.readyHead, this.readyTail));
      this.readyAt = at;
    }
    this.readyHead = 0;
    this.readyTail = n;
  }

  /** netpoll's result list: the next ready G, made runnable (call only when pending() > 0). */
  take(): number {
    this.taken++;
    this.delayNs += this.sim.now - this.readyAt[this.readyHead]!;
    const gp = this.readyQ[this.readyHead++]!;
    if (this.readyHead === this.readyTail) this.readyHead = this.readyTail = 0;
    this.g.status[gp] = Grunnable;
    this.g.waitReason[gp] = WAIT_NONE;
    return gp;
  }

  /**
   * gp parks on network I/O completing at now + waitNs + extraNs (the wait, then the network's extra
   * delay, added in that order). Delays, not the time: a time past 2^31 ns passed to a call V8 does not
   * inline is a new heap number; the event is scheduled through Simulation.nextTime/postAt and its handle
   * read from lastHandle for the same reason.
   */
  ioWaitAdd(waitNs: number, extraNs: number, gp: number): void {
    const sim = this.sim;
    const when = sim.now + waitNs + extraNs;
    this.ioWait.push(when, gp);
    if (when < this.ioEventAt) {
      if (this.ioEventH >= 0) sim.cancel(this.ioEventH);
      this.ioEventAt = when;
      sim.nextTime = when;
      sim.postAt(this.kIoReady);
      this.ioEventH = sim.lastHandle;
    }
  }

  /** The next G whose I/O completed by now (earliest, then first parked), or -1. */
  ioDue(now: number): number {
    return this.ioWait.peekTime() <= now ? this.ioWait.pop() : -1;
  }

  /** After ioDue: one engine event at the next I/O completion, if any. */
  rearmIo(): void {
    const at = this.ioWait.peekTime();
    this.ioEventAt = at;
    if (at === Infinity) {
      this.ioEventH = -1;
      return;
    }
    this.sim.nextTime = at;
    this.sim.postAt(this.kIoReady);
    this.ioEventH = this.sim.lastHandle;
  }

  /** M m blocks in netpoll(delay) (it will wake at wakeAt: see wake). */
  block(m: number): void {
    this.pollerM = m;
    this.pollerWakeAt = Infinity;
    this.pollerWakeH = -1;
  }

  /** netpollBreak / the poll's timeout: the blocked M wakes at `at` if that is sooner than planned. */
  wake(at: number): void {
    if (!(at < this.pollerWakeAt)) return;
    if (this.pollerWakeH >= 0) this.sim.cancel(this.pollerWakeH);
    this.pollerWakeAt = at;
    if (at === Infinity) {
      this.pollerWakeH = -1;
      return;
    }
    const sim = this.sim;
    sim.nextTime = Math.max(at, sim.now);
    sim.postAt(this.kPollWake, this.pollerM);
    this.pollerWakeH = sim.lastHandle;
  }

  /** As wake(now + delayNs): the delay, not the time, crosses the call (no heap number, see ioWaitAdd). */
  wakeAfter(delayNs: number): void {
    this.wake(this.sim.now + delayNs);
  }

  /** netpoll returned: nobody is blocked in it now. */
  unblock(): void {
    this.pollerM = -1;
    this.pollerWakeH = -1;
    this.pollerWakeAt = Infinity;
  }
}
