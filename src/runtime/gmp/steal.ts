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
  readonly coprimes: number[] = [];
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
    readonly nP: number,
    maxM: number,
    private readonly rng: RandomStream,
  ) {
    for (let i = 1; i <= nP; i++) if (gcd(i, nP) === 1) this.coprimes.push(i);
    this.mWantG = new Int32Array(maxM).fill(-1);
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

/**
 * After runqgrab's usleep(3): take the victim's runnext if it still holds the same G (the CAS), else
 * look for work again from the top of findRunnable (Go retries the grab; the victim ran its G).
 */
export function runnextStealRetry(s: Sched, m: number, victim: number): void {
  const gp = s.steal.mWantG[m]!;
  s.steal.mWantG[m] = -1;
  const pp = s.mP[m]!;
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

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
