/** gmpsim as a library: load a scenario, run it, read the results. */
export * from './engine/index.js';
export * from './scenario/index.js';
export * from './sim/index.js';
export * from './workload/index.js';
export * from './metrics/index.js';
export { IdealFifoPod } from './runtime/ideal-fifo.js';
export type { PodRuntime, CompletionSink } from './runtime/pod-runtime.js';
export * from './autoscaler/hpa/index.js';
export { GcPacer, PiController } from './runtime/gc/pacer.js';
export { readReport, reportHtml, chartSvg, seriesChartSvg } from './report/html/report.js';
export { compareScenarios, mergePatch } from './scenario/variants.js';
export { mmcMeanWait } from './theory/mmc.js';
