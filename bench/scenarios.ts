import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { loadScenarioFile } from '../src/scenario/load.js';
import { Experiment } from '../src/sim/experiment.js';

/**
 * Model speed on the standard scenarios: simulated seconds per wall second and events/s for one pod
 * (mmc-four-ps) and a fleet under an HPA (hpa-flash-crowd), and the process's peak RSS.
 * Writes results/bench/scenarios.json.
 */
const rows = [
  'scenarios/mmc-four-ps.yaml',
  'scenarios/hpa-flash-crowd.yaml',
  'scenarios/gomaxprocs-above-cpu-limit.yaml',
].map((file) => {
  const s = loadScenarioFile(file);
  const best = [1, 2, 3]
    .map(() => {
      const exp = new Experiment(s, 1);
      const t0 = process.hrtime.bigint();
      exp.finish();
      const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
      return { wallS, events: exp.sim.eventsProcessed };
    })
    .reduce((a, b) => (b.wallS < a.wallS ? b : a));
  return {
    scenario: file,
    simulatedS: s.durationS,
    wallS: best.wallS,
    simSecondsPerWallSecond: s.durationS / best.wallS,
    eventsPerS: best.events / best.wallS,
  };
});
const report = {
  date: new Date().toISOString(),
  node: process.version,
  method: 'best of 3 runs per scenario, seed 1, in one process',
  rows,
  peakRssMB: process.resourceUsage().maxRSS / 1024,
};
mkdirSync('results/bench', { recursive: true });
writeFileSync('results/bench/.scenarios.json.tmp', `${JSON.stringify(report, null, 2)}\n`);
renameSync('results/bench/.scenarios.json.tmp', 'results/bench/scenarios.json');
process.stderr.write(`${JSON.stringify(report, null, 2)}\n`);
