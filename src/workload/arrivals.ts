import type { RandomStream } from '../engine/random.js';
import { NS_PER_S } from '../engine/time.js';
import type { Arrival } from '../scenario/schema.js';
import { ArrivalRateSchedule } from './virtual-users.js';

/** Produces absolute arrival times in ns, one after another. */
export interface ArrivalProcess {
  /** Mean rate, requests per second (for reports and theory checks). */
  readonly ratePerS: number;
  /** The arrival after the one at `prevNs`. */
  nextNs(prevNs: number): number;
  /**
   * A renewal process's next gap, ns (then `nextNs(prev)` is `prev + gapNs()`, the same draw): a whole-ns
   * gap leaves the call as a small integer, where an absolute time past 2^31 ns passed to or returned from
   * a call V8 does not inline is a new heap number each time (issue 24: no garbage per request).
   */
  readonly gapNs?: () => number;
}

/** `horizonS` (the run's length) only sets the reported mean rate of a time-varying process. */
export function arrivalProcess(spec: Arrival, rng: RandomStream, horizonS = 1): ArrivalProcess {
  switch (spec.process) {
    case 'poisson': {
      const meanGap = NS_PER_S / spec.ratePerS;
      const gapNs = () => rng.exponentialRounded(meanGap);
      return { ratePerS: spec.ratePerS, nextNs: (prev) => prev + gapNs(), gapNs };
    }
    case 'steps': {
      // A non-homogeneous Poisson process with a piecewise-constant rate: draw a gap at the current
      // rate; if it crosses the next change, restart from the change at the new rate (exact, because
      // the exponential is memoryless). A rate of 0 waits for the next change.
      const at = spec.steps.map((st) => st.atS * NS_PER_S);
      const rate = spec.steps.map((st) => st.ratePerS);
      const seg = (t: number) => {
        let i = 0;
        while (i + 1 < at.length && at[i + 1]! <= t) i++;
        return i;
      };
      // Time-weighted mean rate over [0, horizon] (for the offered-load report).
      let area = 0;
      spec.steps.forEach((st, i) => {
        const from = Math.min(st.atS, horizonS);
        const to = Math.min(spec.steps[i + 1]?.atS ?? horizonS, horizonS);
        area += st.ratePerS * Math.max(0, to - from);
      });
      const mean = horizonS > 0 ? area / horizonS : spec.steps[0]!.ratePerS;
      return {
        ratePerS: mean,
        nextNs: (prev) => {
          let t = Math.max(prev, at[0]!);
          for (;;) {
            const i = seg(t);
            const end = i + 1 < at.length ? at[i + 1]! : Infinity;
            if (rate[i]! > 0) {
              const next = t + rng.exponentialRounded(NS_PER_S / rate[i]!);
              if (next < end) return next;
            }
            if (end === Infinity) return Infinity;
            t = end;
          }
        },
      };
    }
    case 'timestamps': {
      // Replayed exactly, one request per time; the process is consumed in order.
      const at = spec.atS.map((t) => Math.round(t * NS_PER_S));
      let i = 0;
      const span = Math.max(horizonS, 1e-9);
      return {
        ratePerS: at.filter((t) => t <= span * NS_PER_S).length / span,
        nextNs: () => (i < at.length ? at[i++]! : Infinity),
      };
    }
    case 'trace':
      throw new Error(
        `arrival trace "${spec.file}" was not loaded: load the scenario with loadScenarioFile, which reads it`,
      );
    case 'diurnal': {
      // rate(t) = mean + amplitude × cos(2π (t − peak) / period), sampled by thinning (Lewis–Shedler):
      // candidates at the peak rate, each kept with probability rate(t) / peak rate.
      const amp = Math.min(spec.amplitudePerS, spec.meanPerS);
      const maxRate = spec.meanPerS + amp;
      const w = (2 * Math.PI) / (spec.periodS * NS_PER_S);
      const peak = spec.peakAtS * NS_PER_S;
      return {
        ratePerS: spec.meanPerS,
        nextNs: (prev) => {
          let t = prev;
          for (;;) {
            t += rng.exponentialRounded(NS_PER_S / maxRate);
            if (rng.next() * maxRate <= spec.meanPerS + amp * Math.cos(w * (t - peak))) return t;
          }
        },
      };
    }
    case 'mmpp': {
      // States in turn, each for an exponential time; within a state, Poisson at its rate (restarting
      // at each switch is exact by memorylessness). Long-run mean rate = Σ rate·duration / Σ duration.
      const st = spec.states;
      let state = 0;
      let switchAt = rng.exponentialRounded(st[0]!.meanDurationS * NS_PER_S);
      const total = st.reduce((a, x) => a + x.meanDurationS, 0);
      return {
        ratePerS: st.reduce((a, x) => a + x.ratePerS * x.meanDurationS, 0) / total,
        nextNs: (prev) => {
          let t = prev;
          for (;;) {
            const r = st[state]!.ratePerS;
            if (r > 0) {
              const next = t + rng.exponentialRounded(NS_PER_S / r);
              if (next < switchAt) return next;
            }
            t = switchAt;
            state = (state + 1) % st.length;
            switchAt = t + rng.exponentialRounded(st[state]!.meanDurationS * NS_PER_S);
          }
        },
      };
    }
    case 'ramping-arrival-rate': {
      const sched = new ArrivalRateSchedule(spec);
      return { ratePerS: sched.countUntil(horizonS) / Math.max(horizonS, 1e-9), nextNs: () => sched.nextNs() };
    }
    case 'constant-vus':
    case 'ramping-vus':
      // Closed-loop: the users (virtual-users.ts) send requests as earlier ones end; no arrivals of its own.
      return { ratePerS: 0, nextNs: () => Infinity };
    case 'constant': {
      // Arrivals at round(k × period), k = 0, 1, 2, ...: the first at time zero (like a program's main),
      // exact on average, no drift from rounding each gap.
      const period = NS_PER_S / spec.ratePerS;
      let k = 0;
      return { ratePerS: spec.ratePerS, nextNs: () => Math.round(k++ * period) };
    }
  }
}
