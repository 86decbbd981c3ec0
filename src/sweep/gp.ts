/**
 * A small Gaussian-process regressor for `tune --method bo`: a Matérn 5/2 kernel with one length scale
 * on inputs scaled to [0, 1], outputs standardised, the length scale and the noise chosen from a fixed
 * grid by the log marginal likelihood (Rasmussen & Williams, "Gaussian Processes for Machine Learning",
 * 2006: Algorithm 2.1 for the posterior and eq. 2.30 for the likelihood; eq. 4.17 for Matérn 5/2).
 * Everything is deterministic: no random restarts, ties resolved by the grid's order.
 */

/** Matérn 5/2 on the Euclidean distance r with length scale ℓ, unit variance. */
export function matern52(r: number, lengthScale: number): number {
  const s = (Math.sqrt(5) * r) / lengthScale;
  return (1 + s + (s * s) / 3) * Math.exp(-s);
}

function distance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}

/**
 * The lower Cholesky factor L of a symmetric positive-definite n×n matrix (row-major), A = L Lᵀ;
 * undefined when A is not positive definite (a pivot ≤ 0).
 */
export function cholesky(a: Float64Array, n: number): Float64Array | undefined {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) return undefined;
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j]!;
    }
  }
  return l;
}

/** Solve L x = b (forward substitution) for a lower-triangular L. */
export function solveLower(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}

/** Solve Lᵀ x = b (back substitution) for a lower-triangular L. */
export function solveUpper(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}

/** Length scales (on inputs in [0, 1]) and noise variances (of the standardised outputs) tried. */
export const LENGTH_SCALES = [0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2.5] as const;
export const NOISE_VARIANCES = [1e-6, 1e-3, 1e-2, 0.05, 0.2] as const;

export interface Prediction {
  /** Posterior mean and standard deviation, in the outputs' own unit. */
  mean: number;
  sd: number;
}

/** A fitted GP: its hyperparameters and what predicting needs (the Cholesky factor, α = K⁻¹ y). */
export class GaussianProcess {
  private constructor(
    readonly x: readonly Float64Array[],
    private readonly yStd: Float64Array,
    private readonly yMean: number,
    private readonly yScale: number,
    readonly lengthScale: number,
    readonly noise: number,
    private readonly l: Float64Array,
    private readonly alpha: Float64Array,
    readonly logLikelihood: number,
  ) {}

  /**
   * Fit to (x, y): standardise y, then take the (length scale, noise) of the grids with the largest log
   * marginal likelihood. `hyper` fixes them instead (the batch's fantasies keep the fitted ones).
   */
  static fit(
    x: readonly Float64Array[],
    y: readonly number[],
    hyper?: { lengthScale: number; noise: number },
  ): GaussianProcess {
    const n = x.length;
    if (n === 0 || n !== y.length) {
      throw new RangeError(`a GP needs matching, non-empty inputs and outputs, found ${n} and ${y.length}`);
    }
    const yMean = y.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(y.reduce((a, b) => a + (b - yMean) ** 2, 0) / n);
    const yScale = sd > 0 ? sd : 1;
    const ys = Float64Array.from(y, (v) => (v - yMean) / yScale);
    const dist = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) dist[i * n + j] = dist[j * n + i] = distance(x[i]!, x[j]!);
    let best: GaussianProcess | undefined;
    const scales = hyper ? [hyper.lengthScale] : LENGTH_SCALES;
    const noises = hyper ? [hyper.noise] : NOISE_VARIANCES;
    for (const ls of scales) {
      for (const noise of noises) {
        const k = new Float64Array(n * n);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) k[i * n + j] = i === j ? 1 + noise : matern52(dist[i * n + j]!, ls);
        }
        const l = cholesky(k, n);
        if (!l) continue;
        const alpha = solveUpper(l, n, solveLower(l, n, ys));
        let ll = -0.5 * n * Math.log(2 * Math.PI);
        for (let i = 0; i < n; i++) ll += -0.5 * ys[i]! * alpha[i]! - Math.log(l[i * n + i]!);
        if (!best || ll > best.logLikelihood) best = new GaussianProcess(x, ys, yMean, yScale, ls, noise, l, alpha, ll);
      }
    }
    if (!best) throw new RangeError('no kernel setting gave a positive-definite covariance');
    return best;
  }

  /** The same GP with one more observation (for a batch's fantasies: the hyperparameters stay). */
  withObservation(x: Float64Array, y: number): GaussianProcess {
    const ys = Array.from(this.yStd, (v) => v * this.yScale + this.yMean);
    return GaussianProcess.fit([...this.x, x], [...ys, y], { lengthScale: this.lengthScale, noise: this.noise });
  }

  /** Posterior mean and standard deviation of the latent function at x (noise excluded). */
  predict(x: Float64Array): Prediction {
    const n = this.x.length;
    const ks = new Float64Array(n);
    for (let i = 0; i < n; i++) ks[i] = matern52(distance(this.x[i]!, x), this.lengthScale);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += ks[i]! * this.alpha[i]!;
    const v = solveLower(this.l, n, ks);
    let vv = 0;
    for (let i = 0; i < n; i++) vv += v[i]! * v[i]!;
    const variance = Math.max(0, 1 - vv);
    return { mean: mean * this.yScale + this.yMean, sd: Math.sqrt(variance) * this.yScale };
  }
}

/** Standard normal density. */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** Standard normal CDF, via the Chebyshev fit of erfc in Numerical Recipes (erfcc; fractional error < 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const c = [
    -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223,
    0.17087277,
  ];
  let poly = 0;
  for (let i = c.length - 1; i >= 0; i--) poly = c[i]! + t * poly; // Horner: c0 + t(c1 + t(c2 + …))
  const erfc = t * Math.exp(-x * x + poly);
  return z >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

/** Expected improvement of a minimisation below `best` for a posterior (mean, sd) (Jones et al. 1998). */
export function expectedImprovement(p: Prediction, best: number): number {
  if (!(p.sd > 0)) return Math.max(0, best - p.mean);
  const z = (best - p.mean) / p.sd;
  return (best - p.mean) * normalCdf(z) + p.sd * normalPdf(z);
}
