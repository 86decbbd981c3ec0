import type { Scenario } from '../scenario/schema.js';
import { type RunOutcome, runOne } from './run-row.js';

/** The worker-thread entry (piscina): one (point, replication) per task. */
export default function task({ scenario, seed }: { scenario: Scenario; seed: number }): RunOutcome {
  return runOne(scenario, seed);
}
