/**
 * The Go versions the model follows, and what differs between them: one row per version. Adding a
 * version is one row here plus the rules its features switch (each feature names where it is read).
 */
export const GO_VERSIONS = ['1.19', '1.25'] as const;
export type GoVersion = (typeof GO_VERSIONS)[number];

export interface GoFeatures {
  /**
   * Go 1.21+ spinning protocol (proc.go): sched.needspinning, wakep taking nmspinning without the
   * npidle pre-check, pidlegetSpinning. Read by Sched (wakep, findRunnable).
   */
  needspinning: boolean;
  /**
   * Go 1.25 container-aware GOMAXPROCS: min(hostCpus, max(2, ceil(CPU limit))) when a CPU limit is set;
   * before, the host's CPUs. Read by defaultGomaxprocs.
   */
  cgroupGomaxprocs: boolean;
  /**
   * schedtrace's newer format (proc.go schedtrace): `needspinning=N`, `[ 2 0 ] schedticks=[ … ]`, `nil`
   * for "no M/P/G" instead of -1. Read by schedtrace.
   */
  schedtraceNil: boolean;
}

export const GO_FEATURES: Readonly<Record<GoVersion, GoFeatures>> = {
  '1.19': { needspinning: false, cgroupGomaxprocs: false, schedtraceNil: false },
  '1.25': { needspinning: true, cgroupGomaxprocs: true, schedtraceNil: true },
};

/** The default version of a scenario. */
export const DEFAULT_GO_VERSION: GoVersion = '1.19';

/** GOMAXPROCS when not set: the host's CPUs, or with cgroupGomaxprocs the CPU limit rounded up (min 2). */
export function defaultGomaxprocs(version: GoVersion, hostCpus: number, cpuLimitCores?: number): number {
  if (!GO_FEATURES[version].cgroupGomaxprocs || cpuLimitCores === undefined) return hostCpus;
  return Math.min(hostCpus, Math.max(2, Math.ceil(cpuLimitCores)));
}
