import type { RandomStream } from '../engine/random.js';

/** The Service's choice among Ready endpoints. Returns an index into `ready`, or -1 if it is empty. */
export interface LoadBalancer {
  pick(ready: readonly number[], inFlight: (pod: number) => number): number;
}

/** Round robin over the current endpoint list (IPVS rr; the list order is pod creation order). */
export class RoundRobin implements LoadBalancer {
  private next = 0;
  pick(ready: readonly number[]): number {
    if (ready.length === 0) return -1;
    const i = this.next % ready.length;
    this.next = i + 1;
    return i;
  }
}

/** Uniformly random endpoint (kube-proxy iptables mode's statistic-match rules). */
export class RandomPick implements LoadBalancer {
  constructor(private readonly rng: RandomStream) {}
  pick(ready: readonly number[]): number {
    return ready.length === 0 ? -1 : Math.floor(this.rng.next() * ready.length);
  }
}

/** The endpoint with the fewest requests in flight (Envoy/IPVS least-connection); ties to the first. */
export class LeastOutstanding implements LoadBalancer {
  pick(ready: readonly number[], inFlight: (pod: number) => number): number {
    let best = -1;
    let bestN = Infinity;
    for (let i = 0; i < ready.length; i++) {
      const n = inFlight(ready[i]!);
      if (n < bestN) {
        bestN = n;
        best = i;
      }
    }
    return best;
  }
}

export function loadBalancer(kind: 'round-robin' | 'random' | 'least-outstanding', rng: RandomStream): LoadBalancer {
  if (kind === 'random') return new RandomPick(rng);
  if (kind === 'least-outstanding') return new LeastOutstanding();
  return new RoundRobin();
}
