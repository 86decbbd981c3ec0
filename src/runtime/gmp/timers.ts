import { DeadlineHeap } from '../../engine/deadline-heap.js';
import type { Simulation } from '../../engine/simulation.js';
import type { SampleLog } from '../../metrics/sample-log.js';

/**
 * Timers (time.go) of one pod: pending timers in one deadline heap — deadline, the sleeping G, and the P
 * it was added on — behind one engine event at the earliest (a pod of sleepers costs one event, not one
 * each), and per P a FIFO of timers that are due but not yet run: checkTimers runs them when that P
 * schedules, or a thief does in stealWork. A leaf: it answers with Ps and Gs; the scheduler readies the
 * Gs and wakes Ms (wakeNetPoller).
 */
export class Timers {
  private readonly pending = new DeadlineHeap(64, true);
  private eventH = -1;
  private eventAt = Infinity;
  private readonly dueG: Int32Array[] = [];
  private readonly dueAt: Float64Array[] = [];
  /** Due timers per P not yet run (schedtrace's timerslen). */
  readonly dueCount: Int32Array;
  /** When each P's oldest due timer became due. */
  private readonly dueSince: Float64Array;

  /**
   * `kTimer` is the engine kind the owner registered for "the earliest pending timer is due" (it then
   * calls fireDue until -1, then rearm). `delayMs` receives how late each timer ran, ms.
   */
  constructor(
    private readonly sim: Simulation,
    nP: number,
    private readonly kTimer: number,
    private readonly delayMs: SampleLog,
  ) {
    for (let p = 0; p < nP; p++) {
      this.dueG.push(new Int32Array(4));
      this.dueAt.push(new Float64Array(4));
    }
    this.dueCount = new Int32Array(nP);
    this.dueSince = new Float64Array(nP);
  }

  /** addtimer: gp sleeps until `when` on pp's heap. */
  addtimer(pp: number, gp: number, when: number): void {
    this.pending.push(when, gp, pp);
    if (when < this.eventAt) {
      if (this.eventH >= 0) this.sim.cancel(this.eventH);
      this.eventAt = when;
      this.eventH = this.sim.scheduleAt(when, this.kTimer);
    }
  }

  /**
   * The earliest pending timer, if due by now, joins its P's due list (deadline, then insertion order);
   * returns that P, or -1 when no pending timer is due.
   */
  fireDue(now: number): number {
    if (this.pending.peekTime() > now) return -1;
    const gp = this.pending.pop();
    const pp = this.pending.poppedAux;
    const n = this.dueCount[pp]!;
    if (n === 0) this.dueSince[pp] = now;
    if (n === this.dueG[pp]!.length) {
      const g2 = new Int32Array(n * 2);
      g2.set(this.dueG[pp]!);
      this.dueG[pp] = g2;
      const a2 = new Float64Array(n * 2);
      a2.set(this.dueAt[pp]!);
      this.dueAt[pp] = a2;
    }
    this.dueG[pp]![n] = gp;
    this.dueAt[pp]![n] = now;
    this.dueCount[pp] = n + 1;
    return pp;
  }

  /** After fireDue: one engine event at the next pending timer, if any. */
  rearm(): void {
    this.eventAt = this.pending.peekTime();
    this.eventH = Number.isFinite(this.eventAt) ? this.sim.scheduleAt(this.eventAt, this.kTimer) : -1;
  }

  /**
   * checkTimers' take: empties pp's due list and returns how many timers it held; their Gs are
   * dueGs(pp)[0 … n), in order, for the caller to ready. Records how late each ran.
   */
  takeDue(pp: number, now: number): number {
    const n = this.dueCount[pp]!;
    if (n === 0) return 0;
    this.dueCount[pp] = 0;
    const at = this.dueAt[pp]!;
    for (let i = 0; i < n; i++) this.delayMs.push((now - at[i]!) / 1e6);
    return n;
  }

  /** The Gs takeDue just took from pp (valid until pp's list grows again). */
  dueGs(pp: number): Int32Array {
    return this.dueG[pp]!;
  }

  /**
   * moveTimers (time.go, from p.destroy): every timer of `from` goes to `to` — the pending ones (their
   * deadlines unchanged) and those due but not yet run (after `to`'s own, in their order). Returns how
   * many moved.
   */
  moveTimers(from: number, to: number): number {
    let moved = this.pending.remapAux(from, to);
    const n = this.dueCount[from]!;
    for (let i = 0; i < n; i++) {
      const k = this.dueCount[to]!;
      if (k === 0) this.dueSince[to] = this.dueSince[from]!;
      else this.dueSince[to] = Math.min(this.dueSince[to]!, this.dueSince[from]!);
      if (k === this.dueG[to]!.length) {
        const g2 = new Int32Array(k * 2);
        g2.set(this.dueG[to]!);
        this.dueG[to] = g2;
        const a2 = new Float64Array(k * 2);
        a2.set(this.dueAt[to]!);
        this.dueAt[to] = a2;
      }
      this.dueG[to]![k] = this.dueG[from]![i]!;
      this.dueAt[to]![k] = this.dueAt[from]![i]!;
      this.dueCount[to] = k + 1;
      moved++;
    }
    this.dueCount[from] = 0;
    return moved;
  }

  /** The earliest pending (not yet due) timer, +Infinity if none. */
  nextPending(): number {
    return this.pending.peekTime();
  }

  /** timeSleepUntil: the earliest timer, due-but-unrun ones included; +Infinity if none. */
  timeSleepUntil(): number {
    return Math.min(this.nextPending(), this.overdueSince());
  }

  /** Earliest due-but-unrun timer, +Infinity if none (sysmon: "next < now → startm"). */
  overdueSince(): number {
    let t = Infinity;
    for (let p = 0; p < this.dueCount.length; p++) {
      if (this.dueCount[p]! > 0 && this.dueSince[p]! < t) t = this.dueSince[p]!;
    }
    return t;
  }
}
