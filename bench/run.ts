import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { holdFlatQueue, holdGmpsim } from './hold.js';

/**
 * `npm run bench`: engine events/s for the hold model at 10^3, 10^5 and 10^6 pending events, each
 * beside a plain binary heap (flatqueue) run in the same process, so the ratio survives a noisy machine.
 * Writes results/bench/engine.json. Best of `REPEATS` runs per size (the least disturbed one).
 */
const SIZES = [1_000, 100_000, 1_000_000];
const EVENTS = 4_000_000;
const REPEATS = 3;
const TARGET_EPS_AT_1E5 = 10_000_000;

async function main(): Promise<void> {
  const rows = [];
  for (const pending of SIZES) {
    let best = 0;
    let baseBest = 0;
    for (let r = 0; r < REPEATS; r++) {
      best = Math.max(best, holdGmpsim(pending, EVENTS).eventsPerSecond);
      baseBest = Math.max(baseBest, (await holdFlatQueue(pending, EVENTS)).eventsPerSecond);
    }
    const row = {
      pending,
      events: EVENTS,
      gmpsimEventsPerS: Math.round(best),
      flatqueueEventsPerS: Math.round(baseBest),
      ratio: Math.round((best / baseBest) * 100) / 100,
    };
    rows.push(row);
    process.stderr.write(
      `hold ${String(pending).padStart(9)} pending: gmpsim ${(best / 1e6).toFixed(2)} M ev/s, flatqueue ${(baseBest / 1e6).toFixed(2)} M ev/s (×${row.ratio})\n`,
    );
  }
  const at1e5 = rows.find((r) => r.pending === 100_000)!;
  const report = {
    benchmark: 'engine hold model (one event fires, schedules one successor at now + Exp(1 ms))',
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version },
    repeats: REPEATS,
    rows,
    target: { pending: 100_000, eventsPerS: TARGET_EPS_AT_1E5, met: at1e5.gmpsimEventsPerS >= TARGET_EPS_AT_1E5 },
  };
  mkdirSync('results/bench', { recursive: true });
  writeFileSync('results/bench/.engine.json.tmp', `${JSON.stringify(report, null, 2)}\n`);
  renameSync('results/bench/.engine.json.tmp', 'results/bench/engine.json');
  process.stderr.write(`wrote results/bench/engine.json (target ≥ 10 M ev/s at 10^5: ${report.target.met ? 'met' : 'NOT met'})\n`);
}

await main();
