/**
 * Simulated time is integer nanoseconds held in a double: exact up to 2^53 ns (≈ 104 days), far beyond
 * any scenario, and cheaper than BigInt on the hot path. Scenario files use units in their field names
 * (`durationS`, `meanMs`, ...); these helpers convert at the boundary, rounding to whole nanoseconds.
 */
export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_S = 1_000_000_000;

export const sToNs = (s: number): number => Math.round(s * NS_PER_S);
export const msToNs = (ms: number): number => Math.round(ms * NS_PER_MS);
export const usToNs = (us: number): number => Math.round(us * NS_PER_US);
export const nsToMs = (ns: number): number => ns / NS_PER_MS;
export const nsToS = (ns: number): number => ns / NS_PER_S;
