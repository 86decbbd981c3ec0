import { Command, InvalidArgumentError } from 'commander';
import { median } from 'd3-array';
import { build, CALIBRATION } from './go-programs.js';
import {
  describeOnsets,
  HORIZON_S,
  loadavg,
  measureSysmonWakeCpuUs,
  measureUsleepLateDist,
  measureUsleepLateUs,
  modelRuns,
  ONSET_RATES,
  type OnsetRate,
  onsetDoc,
  onsetS,
  RUNS,
  realRuns,
  SEEDS,
  SYSMON_WAKE_CPU_US_2026_11_30,
  USLEEP_LATE_BESIDE_HANDLER_2026_11_30,
  withBurstStretch,
  withSysmonWakeCpu,
  withUsleepLate,
  withUsleepLateDist,
} from './onset.js';

/**
 * `npm run validate:onset [-- --rates 300,450] [--runs N] [--seeds N] [--model-only] [--first-seed N]`: issue
 * 26's onset case alone (section 9 of `npm run validate`), printing every real run's onset with the load
 * average before it and its CPU stretch, and every seed's onset with the defaults and with the calibration,
 * each with its median and that median's distribution-free interval. Writes nothing.
 */
const positive = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${flag}: expected a positive integer`);
  return n;
};
const opts = new Command()
  .description("Issue 26's onset case alone: every real run's and every seed's onset, with medians and their intervals")
  .exitOverride((e) => process.exit(e.exitCode === 0 ? 0 : 2)) // bad input: exit 2, as the CLI
  .option(
    '--rates <list>',
    `comma-separated, from ${ONSET_RATES.join(', ')}`,
    (v: string) =>
      v.split(',').map((x) => {
        const r = Number(x);
        if (!ONSET_RATES.includes(r as OnsetRate))
          throw new InvalidArgumentError(`expected rates from ${ONSET_RATES.join(', ')}, found "${x}"`);
        return r as OnsetRate;
      }),
    [300, 450] as OnsetRate[],
  )
  .option('--runs <n>', 'real runs per rate (default: as npm run validate)', positive('--runs'))
  .option('--first-seed <n>', "the first real run's seed", positive('--first-seed'), 1)
  .option('--seeds <n>', 'model seeds per rate', positive('--seeds'), SEEDS)
  .option('--model-only', 'run the model only (no Go)')
  .parse()
  .opts<{ rates: OnsetRate[]; runs?: number; firstSeed: number; seeds: number; modelOnly?: boolean }>();

if (!opts.modelOnly) build('httpsyscalls', 'calibrate');
for (const rate of opts.rates) {
  const horizon = HORIZON_S[rate];
  const doc = onsetDoc(rate, horizon);
  const out = (s: string) => process.stdout.write(`${rate} req/s, ${horizon} s: ${s}\n`);
  for (const [name, d] of [
    ['defaults', doc],
    ['calibrated', { ...doc, calibration: CALIBRATION }],
  ] as const)
    out(
      `model ${name}, ${opts.seeds} seeds: ${describeOnsets(
        modelRuns(d, opts.seeds).map((r) => r.trapS),
        horizon,
      )}`,
    );
  // Diagnostics: each loop's lateness drawn from a measured table's shape (costs.usleepLateQuantilesUs).
  const seedsOnsets = (d: Record<string, unknown>) =>
    describeOnsets(
      modelRuns(d, opts.seeds).map((r) => r.trapS),
      horizon,
    );
  out(
    `model defaults with usleep(20)'s tail beside a handler (2026-11-30), ${opts.seeds} seeds: ` +
      seedsOnsets(withUsleepLateDist(doc, USLEEP_LATE_BESIDE_HANDLER_2026_11_30)),
  );
  // sysmon's wakes on the handler's core (costs.sysmonWakeCpuUs), as measured on 2026-11-30.
  const wakeUs = SYSMON_WAKE_CPU_US_2026_11_30;
  out(
    `model defaults with sysmon's wakes costing ${wakeUs} µs (2026-11-30), ${opts.seeds} seeds: ` +
      seedsOnsets(withSysmonWakeCpu(doc, wakeUs)),
  );
  if (opts.modelOnly) continue;
  const lateUs = measureUsleepLateUs();
  const wakeNowUs = measureSysmonWakeCpuUs();
  out(
    `model with usleep(20) ${lateUs.toFixed(1)} µs late and sysmon's wakes costing ${wakeNowUs.toFixed(1)} µs ` +
      `(both measured now on CPU 0), ${opts.seeds} seeds: ` +
      seedsOnsets(withSysmonWakeCpu(withUsleepLate(doc, lateUs), wakeNowUs)),
  );
  out(
    `model with usleep(20) ${lateUs.toFixed(1)} µs late (measured now on CPU 0), ${opts.seeds} seeds: ` +
      seedsOnsets(withUsleepLate(doc, lateUs)),
  );
  const dist = measureUsleepLateDist();
  out(
    `model with usleep(20) ${lateUs.toFixed(1)} µs late and the tail measured now beside a handler ` +
      `(${(dist.over300us * 100).toFixed(2)} % over 300 µs), ${opts.seeds} seeds: ` +
      seedsOnsets(withUsleepLateDist(withUsleepLate(doc, lateUs), dist.quantilesUs)),
  );
  const n = opts.runs ?? RUNS[rate];
  const loads: string[] = [];
  const runs = Array.from({ length: n }, (_, i) => {
    loads.push(loadavg());
    const r = realRuns(rate, 1, horizon, opts.firstSeed + i)[0]!;
    out(
      `real run ${i + 1} of ${n} (seed ${opts.firstSeed + i}, load average ${loads[i]}): onset ` +
        `${onsetS(r.trapS, horizon)} s, CPU stretch ${r.cpuStretch.toFixed(2)}, p99 ${r.p99Ms.toFixed(1)} ms`,
    );
    return r;
  });
  out(
    `real, ${n} runs: ${describeOnsets(
      runs.map((r) => r.trapS),
      horizon,
    )}`,
  );
  const stretch = runs.map((r) => r.cpuStretch);
  out(
    `real: load average before each run ${loads.join(', ')}, after the last ${loadavg()}; CPU stretch ` +
      `${stretch.map((x) => x.toFixed(2)).join(', ')} (median ${median(stretch)!.toFixed(2)})`,
  );
  const both = withBurstStretch(withUsleepLate(doc, lateUs), median(stretch)!);
  out(
    `model with usleep(20) ${lateUs.toFixed(1)} µs late and bursts × ${median(stretch)!.toFixed(2)}, ` +
      `${opts.seeds} seeds: ${describeOnsets(
        modelRuns(both, opts.seeds).map((r) => r.trapS),
        horizon,
      )}`,
  );
}
