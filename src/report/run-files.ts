import { stringify } from 'yaml';
import type { Scenario } from '../scenario/schema.js';
import type { RunResult } from '../sim/experiment.js';
import { toCsv, toStableJson } from './format.js';

/** The files a run streams while it goes (CsvFileSink) rather than writing at the end. */
export const STREAMED_FILES = { series: 'timeseries.csv', pods: 'pods.csv' } as const;

/** pods.csv is kept only where there is more than one pod to tell apart: a row of a pod other than 0. */
export function podRowCounts(row: readonly (number | string)[]): boolean {
  return row[1] !== 0;
}

/**
 * The files of one run directory. `scenario.resolved.yaml` has every default filled in and the seed that
 * was used, so `gmpsim run <dir>/scenario.resolved.yaml` reproduces the run byte for byte. With `streamed`
 * the time series and per-pod rows are not among them (the run wrote them as it went: cli/run-command.ts);
 * without, the result must hold every row (a run within MAX_KEPT_ROWS).
 */
export function runFiles(
  scenario: Scenario,
  seed: number,
  result: RunResult,
  streamed = false,
): Record<string, string> {
  const resolved = { ...scenario, seed };
  const files: Record<string, string> = {
    'summary.json': toStableJson(result.summary),
    'scenario.resolved.yaml':
      `# Resolved by gmpsim: every default filled in. Re-run with: gmpsim run <this ` + `file>\n${stringify(resolved)}`,
  };
  if (!streamed) {
    if (!result.series.complete || !result.podSeries.complete)
      throw new Error('runFiles: the run kept a downsample of its rows; stream them (ExperimentOptions.sinks)');
    files[STREAMED_FILES.series] = toCsv(result.series.columns, result.series.rows);
    if (result.podSeries.rows.some(podRowCounts))
      files[STREAMED_FILES.pods] = toCsv(result.podSeries.columns, result.podSeries.rows);
  }
  if (result.hpaDecisions) files['hpa_decisions.csv'] = hpaDecisionsCsv(result.hpaDecisions);
  return files;
}

/** hpa_decisions.csv: one row per HPA sync (a run's, and each seed's of a compare). */
export function hpaDecisionsCsv(decisions: NonNullable<RunResult['hpaDecisions']>): string {
  // The HPA's view (current_metrics …) is appended after the older columns, which readers index by name.
  const cols = [
    't_s',
    'current_replicas',
    'desired_replicas',
    'rescale',
    'reason',
    'proposals',
    'able_to_scale',
    'scaling_active',
    'scaling_limited',
    'current_metrics',
    'ready_pods',
    'unready_pods',
    'missing_pods',
    'ignored_pods',
    'recommended_replicas',
    'stabilized_replicas',
  ];
  const rows = decisions.map((d) => [
    d.tS,
    d.currentReplicas,
    d.desiredReplicas,
    d.rescale ? 1 : 0,
    d.reason,
    d.proposals,
    d.ableToScale,
    d.scalingActive,
    d.scalingLimited,
    d.currentMetrics ?? '',
    d.readyPods ?? '',
    d.unreadyPods ?? '',
    d.missingPods ?? '',
    d.ignoredPods ?? '',
    d.recommendedReplicas ?? '',
    d.stabilizedReplicas ?? '',
  ]);
  return toCsv(cols, rows);
}
