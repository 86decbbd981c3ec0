import { existsSync, readFileSync } from 'node:fs';

/** The readable end of `npm run bench`: every recorded figure against its target, from results/bench/*.json. */
// biome-ignore lint/suspicious/noExplicitAny: the recorded figures are read field by field, each checked where shown
const read = (f: string): any =>
  existsSync(`results/bench/${f}`) ? JSON.parse(readFileSync(`results/bench/${f}`, 'utf8')) : undefined;
const lines: [string, string, string, string][] = [];
const add = (what: string, value: string, target: string, met: boolean | null | undefined) =>
  lines.push([what, value, target, met === undefined || met === null ? '-' : met ? 'met' : 'NOT met']);
const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');

const engine = read('engine.json');
if (engine) {
  for (const r of engine.rows)
    add(
      `engine hold model, ${r.pending} pending`,
      `${f(r.eventsPerS.ladder / 1e6)} M ev/s (${f(r.ladderOverFlatqueue)}× flatqueue)`,
      r.pending === 100000 ? '≥ 10 M, ≥ 1.5×' : '',
      r.pending === 100000 ? engine.targets.eventsPerSAt1e5.met && engine.targets.ratioOverPlainHeapAt1e5.met : null,
    );
}
const runtime = read('runtime.json');
if (runtime) {
  add(
    'scheduler events/s, ~10^5 live Gs',
    `${f(runtime.schedulerEventsPerS.eventsPerS / 1e6)} M`,
    '≥ 2 M',
    runtime.schedulerEventsPerS.met,
  );
  add(
    'bytes per parked G (10^6 Gs)',
    `${runtime.parkedG.bytesPerG} B (${f((runtime.parkedG.bytesPerG * 1e6) / 2 ** 20, 0)} MB)`,
    '≤ 100 MB',
    runtime.parkedG.met,
  );
}
const cluster = read('cluster.json');
if (cluster) add('1 h, 20 pods × GOMAXPROCS 4, 2000 req/s', `${f(cluster.wallS, 1)} s`, '≤ 60 s', cluster.target.met);
const start = read('start.json');
if (start) {
  for (const r of start.rows)
    add(
      `${r.command}, CPU`,
      `${f(r.cpuMs.bundle, 0)} ms (dist/src ${f(r.cpuMs.distSrc, 0)} ms)`,
      '≤ 150 ms',
      r.cpuMs.bundle <= 150,
    );
}
const fleet = read('fleet.json');
if (fleet) {
  add(
    `${f(fleet.simulatedS / 3600, 2)} h, ${fleet.pods} pods × GOMAXPROCS 4, ${fleet.ratePerS} req/s`,
    `${f(fleet.wallS, 1)} s wall, ${f(fleet.cpuS, 1)} s CPU, ${f(fleet.requestsPerCpuS / 1e3, 0)} k req/CPU-s`,
    '',
    null,
  );
  add(
    'peak RSS of the fleet hour',
    `${f(fleet.peakRssMB, 0)} MB (pods' typed arrays ${f(fleet.atEnd.typedArraysMB, 0)} MB)`,
    '',
    null,
  );
}
const scaling = read('scaling.json');
if (scaling)
  for (const c of scaling.curves)
    add(
      `wall time against ${c.x}`,
      `${c.linear ? 'within' : 'NOT within'} 10 % of linear (worst ${f(c.worstPct, 1)} %)`,
      '≤ 10 %',
      c.linear,
    );
const scen = read('scenarios.json');
if (scen)
  for (const r of scen.rows)
    add(`${r.scenario}`, `${f(r.simSecondsPerWallSecond, 0)} sim-s/s, ${f(r.eventsPerS / 1e6)} M ev/s`, '', null);
if (scen) add('peak RSS of the scenario benchmark', `${f(scen.peakRssMB, 0)} MB`, '', null);
const mmc = read('mmc.json');
if (mmc)
  add(
    'M/M/c, 10^6 customers, vs SimPy 2',
    mmc.speedup
      ? `${f(mmc.speedup, 1)}× (waits ${f(mmc.gmpsim.meanWaitS[0], 3)} vs ${f(mmc.simpy.meanWaitS, 3)} s, ` +
          `Erlang C ${f(mmc.erlangCMeanWaitS, 3)})`
      : 'SimPy not installed',
    '≥ 50×, same mean wait',
    mmc.target.met,
  );
const sweep = read('sweep.json');
if (sweep) {
  add(
    'sweep 1 → 2 workers',
    `${f(sweep.throughput.speedup)}× (two processes: ${f(sweep.throughput.machineCeiling)}×)`,
    '≥ 1.8×',
    sweep.throughput.met,
  );
  add(
    'sweep per-run pool overhead',
    `${f(sweep.perPointOverheadMs.value)} ms`,
    '< 50 ms',
    sweep.perPointOverheadMs.met,
  );
}
const service = read('service.json');
if (service)
  add(
    'a request with one call vs one netpoll step',
    `${f(service.ratio)}× (${service.nsPerRequest.call} vs ${service.nsPerRequest.netpoll} ns)`,
    '≤ 1.5×',
    service.target.met,
  );
const w = [0, 1, 2, 3].map((i) => Math.max(...lines.map((l) => l[i].length)));
process.stdout.write(`${lines.map((l) => l.map((c, i) => c.padEnd(w[i]!)).join('  ')).join('\n')}\n`);
