import { runCommand } from '../src/cli/run-command.js';

/**
 * `node dist/bench/rss-run.js SCENARIO OUT`: `gmpsim run SCENARIO --out OUT --quiet` in this process, then
 * one JSON line on stdout with its peak RSS and CPU time (the flat-memory test and bench/fleet.ts read it).
 */
const [file, out] = process.argv.slice(2);
if (!file || !out) throw new Error('usage: rss-run.js SCENARIO OUT');
runCommand(file, { out, quiet: true });
const u = process.resourceUsage();
process.stdout.write(
  `${JSON.stringify({ peakRssMB: u.maxRSS / 1024, cpuS: (u.userCPUTime + u.systemCPUTime) / 1e6 })}\n`,
);
