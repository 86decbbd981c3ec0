export { writeDirAtomic } from './atomic-dir.js';
export { runFiles } from './run-files.js';
export { summaryTable } from './summary-table.js';
export { toCsv, toStableJson, roundSig } from './format.js';
