import type { AtomicDir } from '../report/atomic-dir.js';
import type { StopSignal } from '../sweep/runner.js';

/**
 * SIGINT (Ctrl-C) and SIGTERM (a pod being evicted, `kill`) stop a pool of runs cleanly: `stop` is
 * requested, the command writes what it can and says how to go on. `by()` names the first signal for
 * that message; `dispose()` gives the signals back to Node.
 */
export function stopOnSignals(stop: StopSignal): { by(): string; dispose(): void } {
  let signal: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    signal ??= sig;
    stop.request();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    by: () => (signal === 'SIGTERM' ? 'terminated (SIGTERM)' : 'interrupted'),
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Ctrl-C or SIGTERM while a run streams into `out`: remove the temporary directory, exit as the signal would. */
export function abortOnSignals(out: AtomicDir): { dispose(): void } {
  const on = (sig: NodeJS.Signals) => {
    out.abort();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', on);
  process.once('SIGTERM', on);
  return {
    dispose: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}
