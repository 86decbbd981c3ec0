import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tuneV8 } from '../src/cli/v8-tuning.js';
import type { HostInit } from '../src/parallel/pod-host.js';
import { HostOnThisThread, type PodTransport } from '../src/parallel/pod-threads.js';
import { podThreads, podWorkers } from '../src/parallel/worker-transport.js';
import { CsvFileSink } from '../src/report/csv-stream.js';
import { Experiment } from '../src/sim/experiment.js';
import { fleetScenario } from './fleet-scenario.js';

// The CLI's V8 settings (src/cli/v8-tuning.ts), so the benchmark measures what `gmpsim run` runs.
tuneV8();

/**
 * The fleet benchmark (issue 24 item 2): one simulated hour of 100 pods × GOMAXPROCS 4 at 10,000 req/s
 * (≈ 36 M requests) with an HPA and the metrics pipeline, the time series and per-pod rows streamed to
 * files as `gmpsim run` does. Records wall and CPU time, peak RSS and where the memory is at the end
 * (V8 heap in use after a full collection, typed arrays, pods ever started) in results/bench/fleet.json.
 * Run with --expose-gc (npm run bench does) so the live heap is measured after a collection.
 * GMPSIM_BENCH_SIMULATED_S shortens the run (tests and busy machines); GMPSIM_BENCH_PODS changes the pods
 * (the rate stays 100 req/s per pod). The run is windowed (each pod on its own engine between barriers,
 * issue 24 item 6); GMPSIM_BENCH_SINGLE_ENGINE=1 runs every pod on one engine instead, for comparison (the
 * same results where no arrival ties a pod's event to the nanosecond). GMPSIM_BENCH_THREADS=N (N >= 2) runs
 * the pods on N threads as `gmpsim run --threads N` does (podThreads: this thread, beside the coordinator,
 * and N - 1 workers, an equal share each; the same results); the CPU time of each thread (Linux:
 * /proc/self/task) is recorded. For the threads' costs (README, *One run on every core*):
 * GMPSIM_BENCH_HOSTS=K (with THREADS >= 2) puts the pods on K worker threads instead, this thread only
 * coordinating (K = N: the layout before the seventh session; K = 1: one worker holds every pod), and
 * GMPSIM_BENCH_HOSTS_HERE=1 runs those hosts on this thread (the tests' transport: the window protocol
 * without threads).
 * GMPSIM_BENCH_MIX=a:b (with THREADS=N) puts a share a of the pods on this thread, beside the coordinator,
 * and b on each of N - 1 workers; GMPSIM_BENCH_SLICES=n cuts each sample interval into n slices (default
 * SLICES_PER_SAMPLE, 1: no pipelining; results unchanged). `slicesAhead` counts the slices sent before the one before
 * was heard (the pipelined ones).
 */
const simulatedS = Number(process.env.GMPSIM_BENCH_SIMULATED_S ?? 3600);
const pods = Number(process.env.GMPSIM_BENCH_PODS ?? 100);
const out = process.env.GMPSIM_BENCH_OUT ?? 'results/bench/fleet.json';
const singleEngine = process.env.GMPSIM_BENCH_SINGLE_ENGINE === '1';
const threads = process.env.GMPSIM_BENCH_THREADS !== undefined ? Number(process.env.GMPSIM_BENCH_THREADS) : undefined;
const hostCount = process.env.GMPSIM_BENCH_HOSTS !== undefined ? Number(process.env.GMPSIM_BENCH_HOSTS) : undefined;
const hostsHere = process.env.GMPSIM_BENCH_HOSTS_HERE === '1';
const slicesPerSample =
  process.env.GMPSIM_BENCH_SLICES !== undefined ? Number(process.env.GMPSIM_BENCH_SLICES) : undefined;
/** GMPSIM_BENCH_MIX=a:b: this thread hosts a share a of the pods, and each of THREADS - 1 workers b. */
const mix = process.env.GMPSIM_BENCH_MIX?.split(':').map(Number);
function podHosts(init: HostInit, count: number): PodTransport[] {
  if (mix) return [new HostOnThisThread(init, mix[0]), ...podWorkers(init, count - 1, mix[1])];
  if (hostsHere) return Array.from({ length: hostCount ?? count }, () => new HostOnThisThread(init));
  return hostCount !== undefined ? podWorkers(init, hostCount) : podThreads(init, count);
}
const s = fleetScenario(simulatedS, pods);
const dir = mkdtempSync(join(tmpdir(), 'gmpsim-bench-fleet-'));
const series = new CsvFileSink(join(dir, 'timeseries.csv'));
const podRows = new CsvFileSink<number | string>(join(dir, 'pods.csv'));
const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const exp = new Experiment(s, 1, {
  sinks: { series, pods: podRows },
  singleEngine,
  slicesPerSample,
  ...(threads !== undefined ? { threads, podHosts } : {}),
});
exp.advanceTo(exp.endNs);
const byThread = threadCpuS();
const { summary } = exp.finish();
series.close();
podRows.close();
const wallS = Number(process.hrtime.bigint() - t0) / 1e9;

/**
 * CPU seconds of each of this process's threads that used more than 0.05 s, busiest first (Linux: the
 * utime and stime of /proc/self/task/<tid>/stat, in clock ticks of 10 ms); [] elsewhere.
 */
function threadCpuS(): { tid: number; main: boolean; cpuS: number }[] {
  try {
    return readdirSync('/proc/self/task')
      .map((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return { tid: Number(tid), main: Number(tid) === process.pid, cpuS: (Number(f[11]) + Number(f[12])) / 100 };
      })
      .filter((t) => t.cpuS > 0.05)
      .sort((a, b) => b.cpuS - a.cpuS);
  } catch {
    return [];
  }
}
const cpu = process.cpuUsage(cpu0);
const peakRssMB = process.resourceUsage().maxRSS / 1024;
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const mem = process.memoryUsage();
const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
const report = {
  date: new Date().toISOString(),
  node: process.version,
  simulatedS,
  pods,
  gomaxprocs: 4,
  ratePerS: 100 * pods,
  // Each pod on its own engine between barriers (issue 24 item 6), or every pod on one engine.
  windowed: exp.eligibility.eligible && !singleEngine,
  ...(threads !== undefined ? { threads, workerThreads: hostsHere ? 0 : exp.workerThreads } : {}),
  ...(hostsHere ? { hostsOnThisThread: hostCount ?? threads } : {}),
  ...(mix ? { mix: `this thread ${mix[0]} : each worker ${mix[1]}` } : {}),
  // CPU by thread: the coordinator (main) is the serial share; with worker threads each runs its pods.
  cpuByThreadS: byThread,
  requests: summary.requests.completed,
  events: summary.engine.events,
  // Slices started before the one before was heard (the hosts ran on while the coordinator worked).
  slicesAhead: exp.slicesAhead,
  wallS: Math.round(wallS * 100) / 100,
  cpuS: Math.round(((cpu.user + cpu.system) / 1e6) * 100) / 100,
  requestsPerCpuS: Math.round(summary.requests.completed / ((cpu.user + cpu.system) / 1e6)),
  peakRssMB: Math.round(peakRssMB),
  // Where the memory is once the run is over (after a full collection when run with --expose-gc).
  atEnd: {
    collected: gc !== undefined,
    rssMB: mb(mem.rss),
    heapUsedMB: mb(mem.heapUsed),
    heapTotalMB: mb(mem.heapTotal),
    typedArraysMB: mb(mem.arrayBuffers),
    podsEverStarted: exp.fleet.deployment.pods.length,
    seriesRowsKept: exp.series.rows.length,
    seriesRowsWritten: exp.series.count,
    podRowsWritten: exp.podSeries.count,
  },
};
rmSync(dir, { recursive: true, force: true });
mkdirSync('results/bench', { recursive: true });
writeFileSync(`${out}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
renameSync(`${out}.tmp`, out);
process.stderr.write(`${JSON.stringify(report, null, 2)}\n`);
