// One hold-model measurement in a fresh process (so one variant's JIT state cannot slow another's):
//   node dist/bench/hold-worker.js <ladder|heap|flatqueue> <pending> <events>
import { holdFlatQueue, holdGmpsim } from './hold.js';

const [variant, pending, events] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const r =
  variant === 'flatqueue'
    ? await holdFlatQueue(pending, events)
    : holdGmpsim(pending, events, 'bench', variant === 'heap' ? 'heap' : 'ladder');
process.stdout.write(`${JSON.stringify(r)}\n`);
