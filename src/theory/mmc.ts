/**
 * Closed-form M/M/c results (Kleinrock, Queueing Systems Vol. 1, §3.5), used by tests and notebooks to
 * check the simulator against theory.
 */

/** Erlang C: probability an arrival has to wait, with c servers and offered load a = λ/μ (a < c). */
export function erlangC(c: number, a: number): number {
  if (!(a < c)) return 1;
  // Iterative Erlang B, then C = B / (1 − ρ(1 − B)); numerically stable for large c.
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  const rho = a / c;
  return b / (1 - rho * (1 - b));
}

/** Mean waiting time in queue (excluding service), in the units of 1/λ. */
export function mmcMeanWait(lambda: number, mu: number, c: number): number {
  const a = lambda / mu;
  return erlangC(c, a) / (c * mu - lambda);
}

/** Mean response time (wait + service). */
export function mmcMeanResponse(lambda: number, mu: number, c: number): number {
  return mmcMeanWait(lambda, mu, c) + 1 / mu;
}
