import type { Hpa } from '../../scenario/cluster-schema.js';
import type { HpaDecisionRecord } from './controller.js';
import { describeEvents, type HpaEvent } from './status.js';

/**
 * `kubectl describe hpa` at the run's end (kubectl pkg/describe describeHorizontalPodAutoscalerV2, reduced
 * to what the simulation knows): reference, the targets as `kubectl get hpa` prints them, bounds, the
 * Deployment's pods, the conditions of the last sync (type, status, reason) and the Events table.
 */
export function describeHpa(
  name: string,
  hpa: Hpa,
  decisions: readonly HpaDecisionRecord[],
  events: readonly HpaEvent[],
  nowS: number,
): string {
  const last = decisions.at(-1);
  const lines = [
    `Name:                 ${name}`,
    `Reference:            Deployment/${name}`,
    `Metrics:              ${last?.currentMetrics ?? '<unknown>'}   (current/target, as kubectl get hpa prints them)`,
    `Min replicas:         ${hpa.minReplicas}`,
    `Max replicas:         ${hpa.maxReplicas}`,
    `Deployment pods:      ${last ? `${last.currentReplicas} current / ${last.desiredReplicas} desired` : '<unknown>'}`,
  ];
  const conditions = (['AbleToScale', 'ScalingActive', 'ScalingLimited'] as const)
    .map((type) => [type, (last?.[cond[type]] ?? '').split('/')] as const)
    .filter(([, sr]) => sr[0] !== '');
  if (conditions.length > 0) {
    lines.push('Conditions:');
    const rows = [
      ['Type', 'Status', 'Reason'],
      ['----', '------', '------'],
      ...conditions.map(([type, [status, reason]]) => [type, status!, reason ?? '']),
    ];
    const widths = [0, 1].map((c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const r of rows) lines.push(`  ${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]}`.trimEnd());
  }
  return `${lines.join('\n')}\n${describeEvents(events, nowS)}`;
}

const cond = { AbleToScale: 'ableToScale', ScalingActive: 'scalingActive', ScalingLimited: 'scalingLimited' } as const;
