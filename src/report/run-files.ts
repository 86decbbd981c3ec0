import { stringify } from 'yaml';
import type { Scenario } from '../scenario/schema.js';
import type { RunResult } from '../sim/experiment.js';
import { toCsv, toStableJson } from './format.js';

/**
 * The files of one run directory. `scenario.resolved.yaml` has every default filled in and the seed that
 * was used, so `gmpsim run <dir>/scenario.resolved.yaml` reproduces the run byte for byte.
 */
export function runFiles(scenario: Scenario, seed: number, result: RunResult): Record<string, string> {
  const resolved = { ...scenario, seed };
  const files: Record<string, string> = {
    'summary.json': toStableJson(result.summary),
    'timeseries.csv': toCsv(result.series.columns, result.series.rows),
    'scenario.resolved.yaml':
      `# Resolved by gmpsim: every default filled in. Re-run with: gmpsim run <this ` + `file>\n${stringify(resolved)}`,
  };
  // Per-pod rows only where there is more than one pod to tell apart.
  if (result.podSeries.rows.some((r) => r[1] !== 0))
    files['pods.csv'] = toCsv(result.podSeries.columns, result.podSeries.rows);
  if (result.hpaDecisions) {
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
    const rows = result.hpaDecisions.map((d) => [
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
    files['hpa_decisions.csv'] = toCsv(cols, rows);
  }
  return files;
}
