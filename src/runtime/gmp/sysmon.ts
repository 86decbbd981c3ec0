import type { KeyedStream } from '../../engine/random.js';
import type { Simulation } from '../../engine/simulation.js';
import { injectglist } from './poller.js';
import type { Sched } from './sched.js';
import { Prunning, Psyscall } from './states.js';

const US = 1_000;
const MS = 1_000_000;
const FORCE_PREEMPT_NS = 10 * MS; // forcePreemptNS
const SYSCALL_KEEP_NS = 10 * MS; // retake keeps a syscall's P for < 10 ms if there is nothing else to do
const NETPOLL_EVERY_NS = 10 * MS; // "poll network if not polled for more than 10ms"
const MAX_DEEP_SLEEP_NS = 60_000 * MS; // forcegcperiod / 2
const MAX_DELAY_US = 10_000; // sysmon's delay is capped at 10 ms
/** Loops whose drawn lateness is kept (a power of two): the skipping asks for the same loops many times. */
const LATE_CACHE = 256;

/**
 * sysmon's usleep lateness as a distribution (costs.usleepLateQuantilesUs, issue 26): loop k's usleep returns
 * late by the constant (timer slack + wake-up) plus offsetNs at a uniform draw u_k, linear between the
 * points. u_k is draw 0 of the keyed stream's sub-stream (entityKey, k): a function of the pod and the loop's
 * number, never of the order anything asked for it, so the loops' times stay a function of sysmon's state.
 * The key holds k mod 2^32: a pod's draws repeat after 2^32 loops (a day and more of 20 µs loops).
 */
export interface UsleepLateness {
  /** Quantile levels, 0 first and 1 last, increasing. */
  readonly q: Float64Array;
  /** The measured lateness at each level minus its median, ns (non-decreasing). */
  readonly offsetNs: Float64Array;
  readonly rng: KeyedStream;
  /** The pod's key (hashKey of its entity): pods draw different lateness for the same loop. */
  readonly entityKey: number;
}

/** A table of measured quantiles (µs) as UsleepLateness's offsets from its median (ns). */
export function usleepLateness(
  points: readonly { q: number; us: number }[],
  rng: KeyedStream,
  entityKey: number,
): UsleepLateness {
  const q = Float64Array.from(points, (p) => p.q);
  const ns = Float64Array.from(points, (p) => p.us * US);
  const median = quantileAt(q, ns, 0.5);
  return { q, offsetNs: ns.map((x) => x - median), rng, entityKey };
}

/**
 * How late loop k's usleep returns with the lateness drawn (ns, whole, never negative): the constant
 * (timer slack + wake-up) plus the table's offset from its median at draw 0 of sub-stream (entityKey, k).
 */
export function usleepLateNsAt(late: UsleepLateness, constantNs: number, k: number): number {
  late.rng.seek(late.entityKey, k);
  return Math.max(0, Math.round(constantNs + quantileAt(late.q, late.offsetNs, late.rng.next())));
}

/** The piecewise-linear inverse CDF through (q[i], v[i]) at level u (q[0] = 0 ≤ u ≤ 1 = q[last]). */
function quantileAt(q: Float64Array, v: Float64Array, u: number): number {
  let i = 1;
  while (i < q.length - 1 && q[i]! < u) i++;
  const q0 = q[i - 1]!,
    q1 = q[i]!;
  return v[i - 1]! + ((v[i]! - v[i - 1]!) * (u - q0)) / (q1 - q0);
}

/**
 * sysmon (proc.go): a thread without a P that sleeps 20 µs, and after 50 consecutive idle loops doubles
 * its sleep each loop up to 10 ms. Each loop it may poll the network (not polled for 10 ms), retake Ps
 * from syscalls, preempt Gs running for 10 ms (retake), and start an M for overdue timers; with every P
 * idle it sleeps until the next timer, and only a wake from exitsyscall resets its backoff.
 *
 * Simulating every loop would cost 50,000 events per simulated second per busy pod. Instead this keeps
 * the loop's exact timing state — the time of the last loop, `idle`, `delay` — and schedules an event
 * only at the next loop that can act. Loops in between change nothing but `idle` (each adds one), so
 * their times follow from the state; the loop at which sysmon first saw a P's schedtick or syscalltick
 * (pd.schedwhen / pd.syscallwhen) is computed the same way — from when the P last became visible to
 * retake, and recorded when it stops being visible (pHidden), since retake keeps the record while the P
 * is idle. During a deep sleep no loop runs: the wake is the first to look. Each usleep returns late by the
 * timer slack and a wake-up (sleepExtraNs), as Linux's do, or by a draw keyed by the loop's number (late).
 * Hence the observable effect: a CPU hog is preempted 10 ms after the first loop that saw its slice, i.e.
 * 10–20 ms after the slice began once sysmon has backed off.
 */
export class Sysmon {
  // State after the last evaluated loop.
  private T = 0;
  /** The number of the loop at T (each usleep's lateness is keyed by the number of the loop it leads to). */
  private n = 0;
  private idle = 0;
  private delayUs = 0;
  private sleeping = false;
  /** The deep sleep's pending wake is exitsyscall's (it resets the backoff), not its timeout's. */
  private wakeResets = false;
  /** sched.lastpoll (time of the last netpoll when no M is blocked in netpoll). */
  lastpoll = 0;
  private allIdleSince = 0;

  private readonly pdSchedtick: Float64Array;
  private readonly pdSchedwhen: Float64Array;
  private readonly pdSyscalltick: Float64Array;
  private readonly pdSyscallwhen: Float64Array;
  /**
   * When each P last became visible to retake (running a G, or in a syscall): a slice's schedtick can be
   * seen over several such stretches (exitsyscall takes an idle P without schedtick++).
   */
  private readonly visibleSince: Float64Array;

  private eventH = -1;
  private eventAt = Infinity;
  private readonly kTick: number;
  private readonly kWake: number;
  /** Loops actually evaluated (for tests and the benchmark: far fewer than real loops). */
  evaluations = 0;
  /**
   * Evaluate every loop instead of only those that can act: the slow reference the skipping must match
   * (tests set it; results must be the same either way).
   */
  everyLoop = false;

  /**
   * What each usleep(delay) takes beyond `delay`: the kernel's timer slack (an hrtimer armed by
   * nanosleep may fire up to timer_slack_ns late, 50 µs by default for a normal thread, and on an
   * otherwise quiet timer it fires at the end of that window) plus the thread's wake-up. Go never sets
   * the slack (no PR_SET_TIMERSLACK in the runtime), so sysmon's "20 µs" loops take ~75 µs (`npm run
   * calibrate` measures usleep(20) returning 73 µs late on this VM: usleep20LateNs), and its 50 idle loops
   * before backing off last ~4 ms, not 1 ms. Whether a 5 ms syscall after a few ms of CPU is retaken, or
   * starts the 10 ms-sysmon backlog, turns on exactly this (issue 26). Constant per loop, or (late) a draw
   * keyed by the loop's number: either way the loops' times stay a function of (T, n, idle, delay), which
   * the skipping below relies on.
   */
  private readonly sleepExtraNs: number;
  /**
   * Each loop's lateness as a draw instead (costs.usleepLateQuantilesUs): the real lateness has a heavy tail
   * (a perf trace of the real server saw 3–5 % of sysmon's sleeps return over 300 µs late, waiting for its
   * core), and 50 idle loops outlast a burst by the tail as much as by the median. Loops at the 10 ms cap
   * keep the constant: they are longer than a syscall whatever their lateness, and their times stay in
   * closed form. The draws of recent loops are kept by loop number (lateLoop, lateNs).
   */
  private readonly late: UsleepLateness | undefined;
  private readonly lateLoop: Float64Array;
  private readonly lateNsOf: Float64Array;

  constructor(
    private readonly sim: Simulation,
    private readonly s: Sched,
    sleepExtraNs = 0,
    late?: UsleepLateness,
  ) {
    this.sleepExtraNs = sleepExtraNs;
    this.late = late;
    this.lateLoop = new Float64Array(late ? LATE_CACHE : 0).fill(-1);
    this.lateNsOf = new Float64Array(late ? LATE_CACHE : 0);
    const n = s.pCap; // every P there may be (GOMAXPROCS can rise live: procresize.ts)
    this.pdSchedtick = new Float64Array(n).fill(-1);
    this.pdSchedwhen = new Float64Array(n);
    this.pdSyscalltick = new Float64Array(n).fill(-1);
    this.pdSyscallwhen = new Float64Array(n);
    this.visibleSince = new Float64Array(n);
    this.kTick = sim.registerKind('sysmon.loop', () => this.loop());
    this.kWake = sim.registerKind('sysmon.wake', (_t, syscallWake) => this.wake(syscallWake === 1));
  }

  // ---- loop timing -----------------------------------------------------------------------------

  /** The delay before the loop that follows a loop which left `idle` and used `delayUs`. */
  private static nextDelayUs(idle: number, delayUs: number): number {
    let d = idle === 0 ? 20 : idle > 50 ? delayUs * 2 : delayUs;
    if (d > MAX_DELAY_US) d = MAX_DELAY_US;
    return d;
  }

  /** How late the usleep(delayUs) that leads to loop k returns, ns. */
  private lateNs(k: number, delayUs: number): number {
    const L = this.late;
    if (L === undefined || delayUs >= MAX_DELAY_US) return this.sleepExtraNs;
    const i = k & (LATE_CACHE - 1);
    if (this.lateLoop[i] === k) return this.lateNsOf[i]!;
    const ns = usleepLateNsAt(L, this.sleepExtraNs, k);
    this.lateLoop[i] = k;
    this.lateNsOf[i] = ns;
    return ns;
  }

  /**
   * Time of the first loop at or after x, assuming loops after the last evaluated one do not act.
   * Loops before the last evaluated one are never asked for (their observations were made then).
   */
  firstLoopAtOrAfter(x: number): number {
    let t = this.T,
      idle = this.idle,
      d = this.delayUs,
      k = this.n;
    for (;;) {
      d = Sysmon.nextDelayUs(idle, d);
      if (d === MAX_DELAY_US && idle > 50) {
        // Saturated: loops every 10 ms from t.
        const sat = 10 * MS + this.sleepExtraNs;
        const j = Math.max(1, Math.ceil((x - t) / sat));
        return t + j * sat;
      }
      k++;
      t += d * US + this.lateNs(k, d);
      if (t >= x) return t;
      idle++;
    }
  }

  /**
   * How many times sysmon's thread wakes in (from, to], assuming no loop after the last evaluated one acts
   * (as firstLoopAtOrAfter): each loop, and a deep sleep's wake (exitsyscall's resets the backoff, as
   * wake does). The CPU charges each wake to the Ms running beside it (cpu.ts, costs.sysmonWakeCpuUs).
   * The skipping and the every-loop sysmon give the same count: both project from the same loop times.
   */
  loopsIn(from: number, to: number): number {
    if (this.s.dead) return 0;
    let t = this.T,
      idle = this.idle,
      d = this.delayUs,
      k = this.n,
      count = 0;
    if (this.sleeping) {
      if (this.eventAt > to) return 0; // no loop runs in a deep sleep
      t = this.eventAt;
      if (t > from) count++;
      if (this.wakeResets) {
        idle = 0;
        d = 20;
      }
      idle++; // the wake's own loop (body) retakes nothing, as the loops below
    }
    for (;;) {
      d = Sysmon.nextDelayUs(idle, d);
      if (d === MAX_DELAY_US && idle > 50) {
        // Saturated: loops at t + j·sat, j ≥ 1.
        const sat = 10 * MS + this.sleepExtraNs;
        const lo = Math.max(1, Math.floor((from - t) / sat) + 1);
        const hi = Math.floor((to - t) / sat);
        return hi >= lo ? count + hi - lo + 1 : count;
      }
      k++;
      t += d * US + this.lateNs(k, d);
      if (t > to) return count;
      if (t > from) count++;
      idle++;
    }
  }

  /** Move the state to just before the loop at time x (a loop time), counting skipped loops as idle. */
  private advanceTo(x: number): void {
    let t = this.T,
      idle = this.idle,
      d = this.delayUs,
      k = this.n;
    for (;;) {
      const nd = Sysmon.nextDelayUs(idle, d);
      if (nd === MAX_DELAY_US && idle > 50) {
        const sat = 10 * MS + this.sleepExtraNs;
        const j = Math.round((x - t) / sat);
        this.T = t + (j - 1) * sat;
        this.idle = idle + j - 1;
        this.n = k + j - 1;
        this.delayUs = MAX_DELAY_US;
        return;
      }
      const next = t + nd * US + this.lateNs(k + 1, nd);
      if (next >= x) break;
      t = next;
      d = nd;
      idle++;
      k++;
    }
    this.T = t;
    this.idle = idle;
    this.delayUs = d;
    this.n = k;
  }

  // ---- notifications from the scheduler --------------------------------------------------------

  /** The P starts running a G (execute, or exitsyscall on an idle P): retake's loops can see it from now. */
  pVisible(pp: number): void {
    this.visibleSince[pp] = this.sim.now;
    this.pokeIfLater(this.sim.now + FORCE_PREEMPT_NS); // its G may need preempting 10 ms after a loop sees it
  }

  /**
   * The P stops being visible to retake (its G parks, exits or is preempted; sysmon takes it from its
   * syscall). retake records pd.schedtick at the first loop that sees the P _Prunning or _Psyscall with
   * that tick (proc.go retake: "if pd.schedtick != t { pd.schedtick = t; pd.schedwhen = now }"), and
   * keeps it while the P is idle. If the first such loop was one this class skipped, record it now:
   * otherwise a G that exitsyscall later runs on this P with the same schedtick (no schedtick++) would be
   * timed from a later loop than Go's, or from a loop that saw the P idle.
   */
  pHidden(pp: number): void {
    const tick = this.s.schedtick[pp]!;
    if (this.sleeping || this.pdSchedtick[pp] === tick) return; // no loops in a deep sleep
    const at = this.firstLoopAtOrAfter(this.visibleSince[pp]!);
    if (at >= this.sim.now) return;
    this.pdSchedtick[pp] = tick;
    this.pdSchedwhen[pp] = at;
  }

  /**
   * The P leaves _Psyscall (exitsyscall takes it back, or another M's exitsyscall takes it). If a loop
   * this class skipped saw this syscall, retake recorded its syscalltick then (unless that loop was
   * already past the P's slice's 10 ms, a sysretake loop, which records nothing): record it now, since a
   * later syscall first seen by a sysretake loop is kept or taken by this pd.syscallwhen.
   */
  syscallHidden(pp: number): void {
    const tick = this.s.syscalltick[pp]!;
    if (this.sleeping || this.pdSyscalltick[pp] === tick) return;
    const at = this.firstLoopAtOrAfter(this.s.syscallStart[pp]!);
    if (at >= this.sim.now) return;
    const schedwhen =
      this.pdSchedtick[pp] === this.s.schedtick[pp]
        ? this.pdSchedwhen[pp]!
        : this.firstLoopAtOrAfter(this.visibleSince[pp]!);
    if (at >= schedwhen + FORCE_PREEMPT_NS) return;
    this.pdSyscalltick[pp] = tick;
    this.pdSyscallwhen[pp] = at;
  }

  /**
   * Something changed that may let sysmon act earlier than its scheduled loop (a P started running or
   * entered a syscall, all Ps went idle, I/O is waiting for a poll, a timer is overdue): recompute.
   */
  poke(): void {
    if (this.sleeping) return;
    this.schedule(Math.min(this.eventAt, this.nextActingLoop()));
  }

  /** poke, unless sysmon already has a loop scheduled at or before `bound` (cheap on hot paths). */
  pokeIfLater(bound: number): void {
    if (this.eventAt > bound) this.poke();
  }

  /**
   * P runs a G without a new schedtick (exitsyscall): if sysmon's record of this P holds that same tick,
   * retake counts the slice from that old record, so its acting loop may be sooner than any scheduled.
   */
  pokeIfStale(pp: number): void {
    if (this.pdSchedtick[pp] === this.s.schedtick[pp]) this.poke();
  }

  /** Every P just went idle: the next loop may put sysmon into its deep sleep. */
  noteAllIdle(): void {
    this.allIdleSince = this.sim.now;
    this.poke();
  }

  /**
   * entersyscall_sysmon / exitsyscall found sysmon in its deep sleep (sched.sysmonwait): wake it now;
   * a notewakeup ends notetsleep early, which resets the backoff (syscallWake).
   */
  wakeFromSyscall(): void {
    if (!this.sleeping) return;
    if (this.eventH >= 0) this.sim.cancel(this.eventH);
    this.eventH = this.sim.schedule(0, this.kWake, 0, 1);
    this.eventAt = this.sim.now;
    this.wakeResets = true;
  }

  private schedule(at: number): void {
    if (this.s.dead) at = Infinity; // the process is gone: sysmon with it
    if (at === this.eventAt) return;
    if (this.eventH >= 0) this.sim.cancel(this.eventH);
    this.eventAt = at;
    this.eventH = Number.isFinite(at) ? this.sim.scheduleAt(at, this.kTick) : -1;
  }

  // ---- the loop --------------------------------------------------------------------------------

  private wake(syscallWake: boolean): void {
    this.eventH = -1;
    this.eventAt = Infinity;
    this.sleeping = false;
    if (syscallWake) {
      this.idle = 0;
      this.delayUs = 20;
    }
    // The rest of this loop runs now ("Update now in case we blocked on sysmonnote", proc.go sysmon); like
    // any loop it first sees the Ps' current ticks. No loop ran during the sleep: T moves to now first, so
    // observe counts no loop between the sleeping one and this (a P that began running meanwhile is first
    // seen now, and no netpoll moved sched.lastpoll).
    this.T = this.sim.now;
    this.observe(this.sim.now);
    this.evaluations++;
    this.body();
  }

  private loop(): void {
    this.eventH = -1;
    this.eventAt = Infinity;
    const now = this.sim.now;
    this.observe(now);
    // Skipped loops were idle ones; now run the loop at `now` with the delay that led to it.
    this.advanceTo(now);
    this.delayUs = Sysmon.nextDelayUs(this.idle, this.delayUs);
    this.T = now;
    this.n++;
    this.evaluations++;
    const s = this.s;
    if (s.npidle === s.nP) {
      const next = s.timers.timeSleepUntil();
      if (next > now) {
        // Deep sleep until the next timer (or forcegcperiod/2); only exitsyscall wakes it earlier.
        this.sleeping = true;
        this.wakeResets = false;
        this.eventAt = Math.min(next, now + MAX_DEEP_SLEEP_NS);
        this.eventH = this.sim.scheduleAt(this.eventAt, this.kWake, 0, 0);
        return;
      }
    }
    this.body();
  }

  /** Record, as of loop time `now`, the loops at which sysmon first saw each P's current ticks. */
  private observe(now: number): void {
    const s = this.s;
    for (let p = 0; p < s.nP; p++) {
      const st = s.pStatus[p];
      // From the loop 10 ms after the one that recorded the P's slice, retake takes the P without looking
      // at its syscalltick (sysretake).
      let sysretakeFrom = Infinity;
      if ((st === Prunning && s.pCurG[p]! >= 0) || st === Psyscall) {
        if (this.pdSchedtick[p] !== s.schedtick[p]) {
          this.pdSchedtick[p] = s.schedtick[p]!;
          this.pdSchedwhen[p] = Math.min(now, this.firstLoopAtOrAfter(this.visibleSince[p]!));
        }
        sysretakeFrom = this.pdSchedwhen[p]! + FORCE_PREEMPT_NS;
      }
      if (st === Psyscall && this.pdSyscalltick[p] !== s.syscalltick[p]) {
        // retake records a new syscalltick only when not sysretake ("if !sysretake && pd.syscalltick !=
        // t"): a syscall first seen by a sysretake loop keeps the old pd.syscallwhen, so the "keep a
        // syscall's P for 10 ms" rule counts from the earlier syscall.
        const seen = Math.min(now, this.firstLoopAtOrAfter(s.syscallStart[p]!));
        if (seen < sysretakeFrom) {
          this.pdSyscalltick[p] = s.syscalltick[p]!;
          this.pdSyscallwhen[p] = seen;
        }
      }
    }
    // Polls with nothing to find, made while nobody was blocked in netpoll, move sched.lastpoll.
    if (s.netpoll.pollerM < 0) {
      for (;;) {
        const p = this.firstLoopAtOrAfter(this.lastpoll + NETPOLL_EVERY_NS + 1);
        if (p >= now) break;
        this.lastpoll = p;
      }
    }
  }

  /** The rest of a loop at time T: netpoll, retake, idle bookkeeping, overdue timers. */
  private body(): void {
    const s = this.s;
    const now = this.sim.now;
    if (s.netpoll.pollerM < 0 && this.lastpoll + NETPOLL_EVERY_NS < now) {
      this.lastpoll = now;
      if (s.netpoll.pending() > 0) injectglist(s, -1); // netpoll(0) without a P
    }
    if (this.retake(now) !== 0) this.idle = 0;
    else this.idle++;
    if (s.timers.overdueSince() < now && s.npidle > 0) s.startm(-1, false); // an M to run the overdue timers
    this.schedule(this.nextActingLoop());
  }

  /**
   * retake (proc.go): preempt a G whose P's schedtick has not moved for forcePreemptNS since sysmon
   * first saw it; take a P from a syscall seen for at least one loop unless its local queue is empty,
   * someone is spinning or idle, and the syscall is younger than 10 ms. Returns Ps retaken.
   */
  private retake(now: number): number {
    const s = this.s;
    let n = 0;
    for (let p = 0; p < s.nP; p++) {
      const st = s.pStatus[p];
      let sysretake = false;
      if ((st === Prunning && s.pCurG[p]! >= 0) || st === Psyscall) {
        if (this.pdSchedwhen[p]! + FORCE_PREEMPT_NS <= now) {
          if (st === Prunning) s.preemptone(p);
          sysretake = true;
        }
      }
      if (st !== Psyscall) continue;
      if (!sysretake && this.pdSyscallwhen[p] === now) continue; // first seen at this loop
      if (s.rq.runqempty(p) && s.nmspinning + s.npidle > 0 && this.pdSyscallwhen[p]! + SYSCALL_KEEP_NS > now) continue;
      n++;
      s.retakeSyscall(p);
    }
    return n;
  }

  /** The next loop at which some rule could act, given the scheduler's state now. */
  private nextActingLoop(): number {
    const s = this.s;
    const now = this.sim.now;
    const soonest = this.firstLoopAtOrAfter(now + 1);
    let c = Infinity;
    for (let p = 0; p < s.nP; p++) {
      const st = s.pStatus[p];
      if ((st === Prunning && s.pCurG[p]! >= 0) || st === Psyscall) {
        const seen =
          this.pdSchedtick[p] === s.schedtick[p]
            ? this.pdSchedwhen[p]!
            : this.firstLoopAtOrAfter(this.visibleSince[p]!);
        c = Math.min(c, this.firstLoopAtOrAfter(seen + FORCE_PREEMPT_NS));
      }
      if (st === Psyscall) {
        const seen =
          this.pdSyscalltick[p] === s.syscalltick[p]
            ? this.pdSyscallwhen[p]!
            : this.firstLoopAtOrAfter(s.syscallStart[p]!);
        const keep = s.rq.runqempty(p) && s.nmspinning + s.npidle > 0;
        c = Math.min(c, keep ? this.firstLoopAtOrAfter(seen + SYSCALL_KEEP_NS) : this.firstLoopAtOrAfter(seen + 1));
      }
    }
    if (s.npidle === s.nP) c = Math.min(c, this.firstLoopAtOrAfter(Math.max(this.allIdleSince, now)));
    if (s.netpoll.pending() > 0 && s.netpoll.pollerM < 0)
      c = Math.min(c, this.firstLoopAtOrAfter(this.lastpoll + NETPOLL_EVERY_NS + 1));
    if (s.npidle > 0 && Number.isFinite(s.timers.overdueSince())) c = Math.min(soonest, c);
    if (this.everyLoop) return soonest;
    return c === Infinity ? Infinity : Math.max(c, soonest);
  }
}
