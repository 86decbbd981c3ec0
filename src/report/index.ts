export { writeDirAtomic } from './atomic-dir.js';
export { roundSig, toCsv, toStableJson } from './format.js';
export { runFiles } from './run-files.js';
export { summaryTable } from './summary-table.js';
