import { cpus } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { median } from 'd3-array';
import { writeFileAtomic } from '../src/report/atomic-dir.js';
import { toStableJson } from '../src/report/format.js';
import { roundupsize } from '../src/runtime/gmp/malloc.js';
import { CALIBRATIONS_DIR, type Calibration } from '../src/scenario/calibration.js';
import { CostsSchema, NameSchema } from '../src/scenario/schema.js';
import { build, CALIBRATION, goRun, goVersion, parseGctrace } from './go-programs.js';

/**
 * `npm run calibrate [-- --name NAME] [--out FILE]`: measure the runtime's costs on this machine with the Go
 * micro-benchmarks in validation/go/calibrate (GOMAXPROCS=1) and write calibrations/NAME.json, which a
 * scenario picks with `calibration: NAME`. Each value says which measurement it comes from.
 */
const opts = new Command()
  .option('--name <name>', 'calibration name (the file calibrations/<name>.json)', CALIBRATION)
  .option('--date <yyyy-mm-dd>', 'measurement date to record (default: today)')
  .option('--out <file>', 'write here instead (a scenario names it with `calibration: path/to/file.json`)')
  .parse()
  .opts<{ name: string; date?: string; out?: string }>();
const badName = NameSchema.safeParse(opts.name).error?.issues[0]?.message;
const badDate = opts.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date);
if (badName || badDate) {
  process.stderr.write(
    badName
      ? `calibrate: --name: expected ${badName}, found "${opts.name}"\n`
      : `calibrate: --date: expected YYYY-MM-DD, found "${opts.date}"\n`,
  );
  process.exit(2);
}

build('calibrate', 'httpserve');
const runs = [1, 2, 3].map(() => goRun<Record<string, number>>('calibrate', 1, [], { GODEBUG: 'gctrace=1' }));
const med = (k: string) => median(runs.map((r) => r.out[k]!))!;
const chanOpNs = med('chanOpNs');
const pingPongNs = med('pingPongNs');
// One round trip = two non-blocking channel operations + two parks, each switching the P to the other G.
const ctxSwitchNs = (pingPongNs - 2 * chanOpNs) / 2;
// `go f()` + running the empty f + its exit: the model charges goroutineCreateNs to the creator and a
// context switch to run the child.
const goCreateNs = med('goCreateNs');
const goroutineCreateNs = Math.max(0, goCreateNs - ctxSwitchNs);
const syscallOverheadNs = Math.max(0, med('syscallNs'));
// sysmon's loop: usleep(delay) returns delay + timerSlackUs + threadWakeUs later (the default wake-up).
const timerSlackUs = Math.max(0, med('usleepLateNs') / 1000 - CostsSchema.shape.threadWakeUs.parse(undefined));
// GC scan rate: forced cycles of a pointer-dense heap; live MB marked per CPU-second of mark work.
const forced = runs.flatMap((r) => parseGctrace(r.stderr).filter((c) => c.forced && c.markCpuMs > 0));
if (forced.length === 0) throw new Error('calibrate: no forced GC cycles in gctrace');
const scanRateMBPerCpuS = median(forced.map((c) => c.liveMB / (c.markCpuMs / 1000)))!;
// net/http's own work per request: a real server (GOMAXPROCS 1, CPU 0) answering empty requests from an
// open-loop client on CPU 1 (1,000/s for 2 s, keep-alive): the server process's CPU time (getrusage: read,
// parse, dispatch, write, the socket syscalls, netpoll and its wake-ups, the runtime's own) per request.
// It falls with the rate (fewer wake-ups per request as netpoll returns several): 1,000/s is the middle
// of the service cases' rates.
const http = [1, 2, 3].map(
  (seed) => goRun<{ serverCpuUs: number; completed: number }>('httpserve', 1, [seed, 1000, 2000, 0, 0, 0, 0, 1]).out,
);
const httpRequestUs = median(http.map((h) => h.serverCpuUs / h.completed))!;

// mallocgc (malloc.go): ns per make([]byte, size) at 16 B .. 1 MiB (`calibrate malloc`, a process of its own
// so its forced GCs stay out of the scan rate's gctrace). Zeroing per byte is the slope between the two
// largest sizes (memclr of whole pages, nothing else grows with size there); a small object's own cost is
// the 16 B time less its zeroing, a large one's the 64 KiB time less its zeroing. The sizes between are
// kept in the measurements: on this VM they cost more per byte than either end (see the README).
const mallocRuns = [1, 2, 3].map(() => goRun<{ mallocNs: Record<string, number> }>('calibrate', 1, ['malloc']).out);
const mallocAt = (size: number) => median(mallocRuns.map((r) => r.mallocNs[String(size)]!))!;
const MALLOC_SIZES = [16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576];
const zeroNsPerByte = Math.max(0, (mallocAt(1048576) - mallocAt(262144)) / (1048576 - 262144));
const mallocNsPerObject = Math.max(0, mallocAt(16) - zeroNsPerByte * roundupsize(16));
const mallocLargeUs = Math.max(0, mallocAt(65536) - zeroNsPerByte * roundupsize(65536)) / 1000;
const zeroNsPerKB = zeroNsPerByte * 1024;

// sysmon's wakes on a shared core (issue 26): what a thread doing nanosleep(20 µs) back to back costs a thread
// spinning on its core, ns per wake (`calibrate sysmoncost`, both pinned to CPU 0 as the onset case's server
// is); the model charges it to the running Ms when they and sysmon outnumber runtime.hostCpus.
const wakeRuns = [1, 2, 3].map(
  () =>
    goRun<{ sysmonCost: { medianCostNsPerWake: number } }>('calibrate', 1, ['sysmoncost', 10, 200], {}, [
      'taskset',
      '-c',
      '0',
    ]).out.sysmonCost.medianCostNsPerWake,
);
const sysmonWakeNs = median(wakeRuns)!;

const r1 = (x: number) => Math.round(x * 10) / 10;
const cal: Calibration = {
  name: opts.name,
  go: goVersion(),
  machine: `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} CPUs`,
  measuredOn: opts.date ?? new Date().toISOString().slice(0, 10),
  runtime: {
    costs: {
      ctxSwitchNs: r1(ctxSwitchNs),
      chanOpNs: r1(chanOpNs),
      goroutineCreateNs: r1(goroutineCreateNs),
      syscallOverheadNs: r1(syscallOverheadNs),
      timerSlackUs: r1(timerSlackUs),
      sysmonWakeCpuUs: r1(sysmonWakeNs / 1000),
      httpRequestUs: r1(httpRequestUs),
      mallocNsPerObject: r1(mallocNsPerObject),
      mallocLargeUs: r1(mallocLargeUs),
      zeroNsPerKB: r1(zeroNsPerKB),
    },
    gc: { scanRateMBPerCpuS: Math.round(scanRateMBPerCpuS) },
  },
  measurements: {
    chanOpNs: r1(chanOpNs),
    pingPongRoundTripNs: r1(pingPongNs),
    goCreateRunExitNs: r1(goCreateNs),
    syscallMinusRawSyscallNs: r1(med('syscallNs')),
    usleep20LateNs: r1(med('usleepLateNs')),
    sysmonWakeCostNs: r1(sysmonWakeNs),
    httpServerCpuPerEmptyRequestUs: r1(httpRequestUs),
    ...Object.fromEntries(MALLOC_SIZES.map((b) => [`malloc${b}BNs`, r1(mallocAt(b))])),
    forcedGcCycles: forced.length,
    forcedGcMarkedMB: median(forced.map((c) => c.liveMB))!,
    forcedGcMarkCpuMs: r1(median(forced.map((c) => c.markCpuMs))!),
  },
};
const file = opts.out ?? join(CALIBRATIONS_DIR, `${opts.name}.json`);
writeFileAtomic(file, toStableJson(cal));
process.stdout.write(`${toStableJson(cal)}\nwrote ${file}\n`);
