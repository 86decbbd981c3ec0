import type { RandomStream } from '../../engine/random.js';
import { checkTimers } from './poller.js';
import type { Sched } from './sched.js';
import { Pidle, Prunning } from './states.js';

/*
 * Work stealing, as proc.go does it for findRunnable: the random victim order (randomOrder/randomEnum,
 * stealOrder), stealWork's four rounds, and runqgrab's usleep(3) before it takes a running victim's runnext.
 * The run queues themselves (runqsteal, runqgrab's batch) are in runq.ts; these are plain functions over the
 * Sched state, like poller.ts's.
 */

/** stealWork's answer when it must first usleep(3) before taking a running victim's runnext. */
export const STEAL_USLEEP = -2;

/**
 * proc.go's stealOrder (randomOrder.reset / randomOrder.start) and what stealWork leaves for findRunnable:
 * whether the G it found inherits the time slice, whether it ran another P's timers, and what the steal cost.
 * Every draw comes from the `sched.steal` stream.
 */
export class StealOrder {
  /** The numbers in 1..GOMAXPROCS coprime with GOMAXPROCS (randomOrder.reset). */
  coprimes: number[] = [];
  /** The last stealWork's G inherits the victim's time slice (it came from the thief's own runnext). */
  inherit = false;
  /** The last stealWork ran another P's due timers (findRunnable then looks again from the top). */
  ranTimer = false;
  /** What the last successful steal cost the thief, ns. */
  costNs = 0;
  /** The victim stealWork chose to usleep(3) on, and per M the runnext G it hopes to take. */
  waitVictim = -1;
  readonly mWantG: Int32Array;

  constructor(
    public nP: number,
    maxM: number,
    private readonly rng: RandomStream,
  ) {
    this.reset(nP);
    this.mWantG = new Int32Array(maxM).fill(-1);
  }

  /** randomOrder.reset(n): GOMAXPROCS is n from now on (at start, and when procresize changes it). */
  reset(n: number): void {
    this.nP = n;
    this.coprimes = stealOrder(n);
  }

  /** The draws of stealWork's four rounds, made without walking the Ps (the stream stays where it would be). */
  skipRounds(): void {
    this.rng.skip(4);
  }

  /** The current round's first P and stride (randomEnum's pos and inc), set by start. */
  pos = 0;
  inc = 1;

  /** randomOrder.start(fastrand()): pos = i mod count, inc = coprimes[i / count mod len(coprimes)]. */
  start(): void {
    const i = Math.floor(this.rng.next() * 4294967296);
    this.pos = i % this.nP;
    this.inc = this.coprimes[Math.floor(i / this.nP) % this.coprimes.length]!;
  }
}

/**
 * stealWork: 4 rounds over all Ps in random order (random start, stride coprime to GOMAXPROCS),
 * skipping idle Ps; the last round also runs other Ps' due timers and may take runnext.
 * Returns the G (s.steal.inherit and costNs set), -1, or STEAL_USLEEP (s.steal.waitVictim set).
 */
export function stealWork(s: Sched, pp: number): number {
  const st = s.steal;
  st.ranTimer = false;
  st.inherit = false;
  st.costNs = 0;
  const n = s.nP;
  // No other P holds a queued G, a runnext or a due timer: the four rounds below would find nothing.
  // Draw their four random orders and give up without the walk (issue 24: no event work for nothing to do).
  if (!anyStealable(s, pp)) {
    st.skipRounds();
    return -1;
  }
  for (let i = 0; i < 4; i++) {
    const last = i === 3;
    st.start();
    const inc = st.inc;
    // NUMA-aware order: the same random walk, but the thief's own node first, then the others.
    const local = s.cpu.numaAwareNode(pp);
    for (let k = 0, pos = st.pos; k < n * (local >= 0 ? 2 : 1); k++, pos = (pos + inc) % n) {
      const p2 = pos;
      if (p2 === pp) continue;
      if (local >= 0 && (s.cpu.pNode![p2] === local) !== k < n) continue;
      if (last && s.dueCount[p2]! > 0) {
        checkTimers(s, p2, pp);
        const gp = s.rq.runqget(pp);
        if (gp >= 0) {
          st.inherit = s.rq.inheritTime;
          return gp;
        }
        st.ranTimer = true;
      }
      if (s.pStatus[p2] !== Pidle) {
        // runqgrab: a running victim's runnext is taken only after usleep(3) — the victim may be about
        // to run it — and only if it is still there then (the CAS). The M sleeps in simulated time.
        if (last && s.pStatus[p2] === Prunning && s.rq.runqlen(p2) === 0 && s.rq.runnext[p2] !== -1) {
          st.waitVictim = p2;
          return STEAL_USLEEP;
        }
        const gp = s.rq.runqsteal(pp, p2, last);
        if (gp >= 0) {
          st.costNs = noteSteal(s, pp, p2, s.rq.stolen);
          return gp;
        }
      }
    }
  }
  return -1;
}

/** Whether a P other than pp has anything stealWork could take: a queued G, a runnext or a due timer. */
function anyStealable(s: Sched, pp: number): boolean {
  const rq = s.rq;
  for (let p2 = 0; p2 < s.nP; p2++) {
    if (p2 === pp) continue;
    if (rq.runqtail[p2] !== rq.runqhead[p2] || rq.runnext[p2] !== -1 || s.dueCount[p2]! > 0) return true;
  }
  return false;
}

/**
 * After runqgrab's usleep(3): take the victim's runnext if it still holds the same G (the CAS), else
 * look for work again from the top of findRunnable (Go retries the grab; the victim ran its G).
 */
export function runnextStealRetry(s: Sched, m: number, victim: number): void {
  const gp = s.steal.mWantG[m]!;
  s.steal.mWantG[m] = -1;
  const pp = s.mP[m]!;
  if (pp < 0) {
    s.stopm(m); // procresize destroyed its P and had no other for it
    return;
  }
  if (s.rq.runnext[victim] === gp && s.pStatus[victim] !== Pidle) {
    s.rq.runnext[victim] = -1;
    const overhead = noteSteal(s, pp, victim, 1);
    s.resetspinning(m);
    s.execute(m, pp, gp, false, overhead);
    return;
  }
  s.schedule(m);
}

/** Count a steal of `stolen` Gs by pp from p2 and return what it costs the thief, ns. */
function noteSteal(s: Sched, pp: number, p2: number, stolen: number): number {
  s.stats.steals++;
  s.stats.stolenGs += stolen;
  const cost = s.cfg.costs.stealNs + s.cpu.stealCostNs(pp, p2);
  s.tracer?.instant('steal', pp, s.pM[pp]!, `stole ${stolen} from P${p2}`);
  return cost;
}

/** randomOrder.reset(n) (proc.go): the strides coprime with n that stealWork walks the Ps by. */
export function stealOrder(n: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) if (gcd(i, n) === 1) out.push(i);
  return out;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
