/** gmpsim as a library: load a scenario, run it, read the results. */

export * from './autoscaler/hpa/index.js';
export * from './engine/index.js';
export * from './metrics/index.js';
export { chartSvg, readReport, reportHtml, seriesChartSvg } from './report/html/report.js';
export { GcPacer, PiController } from './runtime/gc/pacer.js';
export { IdealFifoPod } from './runtime/ideal-fifo.js';
export type { CompletionSink, PodRuntime } from './runtime/pod-runtime.js';
export * from './scenario/index.js';
export { compareScenarios, mergePatch } from './scenario/variants.js';
export * from './sim/index.js';
export { mmcMeanWait } from './theory/mmc.js';
export * from './workload/index.js';
