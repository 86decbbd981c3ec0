import type { RandomStream } from '../engine/random.js';
import { NS_PER_S } from '../engine/time.js';
import type { Arrival } from '../scenario/schema.js';

/** Produces absolute arrival times in ns, one after another. */
export interface ArrivalProcess {
  /** Mean rate, requests per second (for reports and theory checks). */
  readonly ratePerS: number;
  /** The arrival after the one at `prevNs`. */
  nextNs(prevNs: number): number;
}

export function arrivalProcess(spec: Arrival, rng: RandomStream): ArrivalProcess {
  switch (spec.process) {
    case 'poisson': {
      const meanGap = NS_PER_S / spec.ratePerS;
      return { ratePerS: spec.ratePerS, nextNs: (prev) => prev + Math.round(rng.exponential(meanGap)) };
    }
    case 'constant': {
      // Arrivals at round(k × period), k = 0, 1, 2, ...: the first at time zero (like a program's main),
      // exact on average, no drift from rounding each gap.
      const period = NS_PER_S / spec.ratePerS;
      let k = 0;
      return { ratePerS: spec.ratePerS, nextNs: () => Math.round(k++ * period) };
    }
  }
}
