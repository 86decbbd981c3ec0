import { formatRegime } from '../explain/regimes.js';
import type { RunSummary } from '../sim/summary.js';

/** A short human-readable table of a run's headline numbers. */
export function summaryTable(s: RunSummary): string {
  const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const rows: Array<[string, string]> = [
    ['scenario', `${s.scenario} (seed ${s.seed}, ${s.durationS} s simulated, warm-up ${s.warmupS} s)`],
    ['scheduler', `${s.scheduler}, GOMAXPROCS ${s.gomaxprocs}`],
    [
      'offered load',
      `${f(s.offeredLoad.arrivalRatePerS, 1)} req/s × ${f(s.offeredLoad.meanCpuMs)} ms CPU ` +
        `= ${f(s.offeredLoad.cores, 2)} cores` +
        (s.hpa ? '' : ` = ${f(s.offeredLoad.utilization * 100, 1)}% of the Ps`),
    ],
    [
      'requests',
      `${s.requests.completed} completed of ${s.requests.arrived} arrived; ${s.requests.inFlightAtEnd} in ` +
        `flight at the end`,
    ],
    ['throughput', `${f(s.throughputPerS, 1)} req/s`],
    ...(s.requests.timeouts + s.requests.retries + s.requests.failed > 0
      ? ([
          [
            'callers',
            `${s.requests.timeouts} timeouts, ${s.requests.retries} retries, ${s.requests.failed} ` +
              `failed, ${s.requests.wastedAttempts} wasted attempts`,
          ],
        ] as Array<[string, string]>)
      : []),
    [
      'latency ms',
      `mean ${f(s.latencyMs.mean)}  p50 ${f(s.latencyMs.p50)}  p95 ${f(s.latencyMs.p95)}  ` +
        `p99 ${f(s.latencyMs.p99)}  max ${f(s.latencyMs.max)}`,
    ],
    ['wait ms', `mean ${f(s.waitMs.mean)}  p99 ${f(s.waitMs.p99)}`],
    ['utilization', `${f(s.utilization * 100, 1)}% of the running pods' Ps`],
    [
      'pods',
      `${f(s.cluster.podSeconds, 0)} pod-seconds; ${s.cluster.replicasAtEnd} at the end, ` +
        `max ${s.cluster.maxReplicas}; ${s.cluster.rejected} refused, ${s.cluster.killed} killed`,
    ],
    ...(s.hpa
      ? ([
          [
            'hpa',
            `${s.hpa.syncs} syncs, ${s.hpa.scaleUps} scale-ups, ${s.hpa.scaleDowns} ` +
              `scale-downs, ${s.hpa.directionReversals} reversals`,
          ],
        ] as Array<[string, string]>)
      : []),
    ...(s.loadGenerator
      ? ([
          [
            'k6 executor',
            `${s.loadGenerator.executor}: max ${s.loadGenerator.maxVUs} VUs, ${s.loadGenerator.iterations} ` +
              `iterations, ${s.loadGenerator.droppedIterations} dropped, timeout ${s.loadGenerator.timeoutMs} ms`,
          ],
        ] as Array<[string, string]>)
      : []),
    ...steadyStateRows(s),
    ['events', `${s.engine.events}`],
    ...(s.regimes ?? []).map((r, i): [string, string] => [i === 0 ? 'regimes' : '', formatRegime(r)]),
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

/** The steady-state hypothesis: one row per fault, its before / during / after probes. */
function steadyStateRows(s: RunSummary): Array<[string, string]> {
  const h = s.chaos?.steadyState;
  if (!h) return [];
  const cond = [
    h.p99Ms !== undefined ? `p99 < ${h.p99Ms} ms` : '',
    h.errorPercent !== undefined ? `errors < ${h.errorPercent}%` : '',
  ]
    .filter((x) => x)
    .join(', ');
  const rows: Array<[string, string]> = [
    ['steady state', `${h.pass ? 'PASS' : 'FAIL'} (${cond}; ${h.windowS} s windows)`],
  ];
  const f = (x: number | null, d: number) => (x === null ? '-' : x.toFixed(d));
  s.chaos!.faults.forEach((fault, i) => {
    const probes = h.checks
      .filter((c) => c.fault === i)
      .map((c) => `${c.phase} ${c.pass ? 'pass' : 'FAIL'} (p99 ${f(c.p99Ms, 1)} ms, ${f(c.errorPercent, 2)}% errors)`);
    rows.push(['', `fault ${i} ${fault.type} at ${fault.atS} s: ${probes.join(' · ')}`]);
  });
  return rows;
}
