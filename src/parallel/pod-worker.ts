/**
 * A pod worker thread's entry (issue 24 item 6, step 3): a PodHost fed through a MessagePort. The thread
 * never returns to its event loop: it sleeps in Atomics.wait until the coordinator's counter moves, takes
 * every queued request with receiveMessageOnPort, answers each, and bumps its own counter (worker-transport.ts).
 * Loaded by path, unbundled, from dist/src (the bundle's loader rewrites the URL, as for the sweep's worker).
 */
import { readlinkSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { PodHost } from './pod-host.js';
import { HostEnd, type PodWorkerData } from './worker-transport.js';

const { init, port, flags } = workerData as PodWorkerData;
const end = new HostEnd(port, flags);

// The coordinator (asleep in Atomics.wait) must never wait for ever: an ending thread says so, and one
// killed from outside (terminate, out of memory) runs no handler, so its OS thread id is shown too (Linux:
// /proc/thread-self), whose disappearance from /proc/self/task the coordinator checks while it waits.
process.on('exit', () => {
  Atomics.store(flags, 2, 1);
  Atomics.notify(flags, 1);
});
try {
  Atomics.store(flags, 3, Number(readlinkSync('/proc/thread-self').split('/').pop()));
} catch {
  // not Linux: only the exit handler tells
}

let host: PodHost | undefined;
let seen = 0;
for (let open = true; open; ) {
  Atomics.wait(flags, 0, seen);
  seen = Atomics.load(flags, 0);
  for (let req = end.next(); req !== undefined; req = end.next()) {
    if (req.op === 'close') {
      open = false;
      break;
    }
    try {
      host ??= new PodHost(init);
      const r = host.handle(req);
      if (r) end.answer(req, r);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      end.answer(req, { op: 'error', message: err.message, stack: err.stack });
    }
  }
}
port.close();
