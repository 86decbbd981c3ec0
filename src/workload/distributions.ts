import type { RandomStream } from '../engine/random.js';
import { msToNs } from '../engine/time.js';
import type { AllocSize, DurationDist } from '../scenario/schema.js';
import { type Step, visitStep } from '../scenario/steps.js';

/** Draws durations in integer nanoseconds from one named random stream. */
export interface DurationSampler {
  /** The distribution's mean, ns (for reports and theory checks). */
  readonly meanNs: number;
  sampleNs(): number;
}

/** The distribution's mean, ns. */
export function distMeanNs(spec: DurationDist): number {
  switch (spec.dist) {
    case 'constant':
      return msToNs(spec.valueMs);
    case 'exponential':
    case 'lognormal':
      return msToNs(spec.meanMs);
    case 'uniform':
      return msToNs((spec.minMs + spec.maxMs) / 2);
    case 'empirical':
      return msToNs(empiricalSamples(spec).reduce((a, b) => a + b, 0) / empiricalSamples(spec).length);
  }
}

function empiricalSamples(spec: Extract<DurationDist, { dist: 'empirical' }>): number[] {
  if (!spec.samplesMs)
    throw new Error(
      `empirical distribution "${spec.file}" was not loaded: load the scenario with loadScenarioFile, which reads it`,
    );
  return spec.samplesMs;
}

export function durationSampler(spec: DurationDist, rng: RandomStream): DurationSampler {
  switch (spec.dist) {
    case 'constant': {
      const v = msToNs(spec.valueMs);
      return { meanNs: distMeanNs(spec), sampleNs: () => v };
    }
    case 'exponential': {
      const mean = msToNs(spec.meanMs);
      return { meanNs: distMeanNs(spec), sampleNs: () => rng.exponentialRounded(mean) };
    }
    case 'lognormal': {
      // Parameterised by mean and coefficient of variation: σ² = ln(1 + cv²), μ = ln(mean) − σ²/2.
      const mean = msToNs(spec.meanMs);
      const s2 = Math.log(1 + spec.cv * spec.cv);
      const mu = Math.log(mean) - s2 / 2;
      const sigma = Math.sqrt(s2);
      return { meanNs: distMeanNs(spec), sampleNs: () => Math.round(Math.exp(mu + sigma * rng.normal())) };
    }
    case 'uniform': {
      const lo = msToNs(spec.minMs);
      const span = msToNs(spec.maxMs) - lo;
      return { meanNs: distMeanNs(spec), sampleNs: () => lo + Math.round(rng.next() * span) };
    }
    case 'empirical': {
      // Bootstrap: each draw is one of the observed values, equally likely.
      const xs = Float64Array.from(empiricalSamples(spec), msToNs);
      return { meanNs: distMeanNs(spec), sampleNs: () => xs[rng.int(xs.length)]! };
    }
  }
}

/** Draws allocation sizes in whole bytes (an alloc step). Same interface as durations: "ns" read as bytes. */
export function sizeSampler(spec: AllocSize, rng: RandomStream): DurationSampler {
  if (spec.dist === 'constant') {
    const v = Math.round(spec.valueKB * 1024);
    return { meanNs: v, sampleNs: () => v };
  }
  const mean = spec.meanKB * 1024;
  return { meanNs: mean, sampleNs: () => Math.max(1, rng.exponentialRounded(mean)) };
}

/**
 * Mean CPU one run of a program takes, ns: cpu steps and the CPU of locked and deep steps, spawned
 * children's programs × count and loop bodies × count; other kinds take no CPU of their own.
 */
export function stepsMeanCpuNs(steps: readonly Step[]): number {
  return steps.reduce(
    (acc, st) =>
      acc +
      visitStep<number>(st, {
        cpu: (d) => distMeanNs(d),
        syscall: () => 0,
        netpoll: () => 0,
        sleep: () => 0,
        alloc: () => 0,
        gosched: () => 0,
        spawn: (b) => b.count * stepsMeanCpuNs(b.steps),
        locked: (b) => distMeanNs(b.cpu),
        deep: (b) => distMeanNs(b.cpu),
        send: () => 0,
        recv: () => 0,
        repeat: (b) => b.count * stepsMeanCpuNs(b.steps),
        call: () => 0,
        // The channel case's steps: the usual path (a timeout is the exception).
        select: (b) => stepsMeanCpuNs(b.ready),
        close: () => 0,
        rwlocked: (b) => distMeanNs(b.cpu),
      }),
    0,
  );
}
