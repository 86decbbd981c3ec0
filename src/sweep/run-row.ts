import { variantRow } from '../report/compare.js';
import type { Scenario } from '../scenario/schema.js';
import { SWEEP_METRICS } from '../scenario/sweep-schema.js';
import { runScenario } from '../sim/experiment.js';

/** What a worker sends back for one (point, replication): the metrics in SWEEP_METRICS order, or an error. */
export type RunOutcome = { metrics: number[] } | { error: string };

/** Run one point once and reduce it to the sweep's per-run figures. */
export function runOne(scenario: Scenario, seed: number): RunOutcome {
  try {
    const row = variantRow('', scenario, [runScenario(scenario, seed)]);
    return { metrics: SWEEP_METRICS.map((m) => row[m]) };
  } catch (e) {
    return { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
