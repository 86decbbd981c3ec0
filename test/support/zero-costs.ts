/** runtime.costs with every scheduler cost zero: the model reduces to its queueing skeleton. */
export const ZERO_COSTS = {
  ctxSwitchNs: 0,
  stealNs: 0,
  goroutineCreateNs: 0,
  threadCreateUs: 0,
  threadWakeUs: 0,
  syscallOverheadNs: 0,
  preemptSignalUs: 0,
  runnextStealWaitUs: 0,
  chanOpNs: 0,
  timerSlackUs: 0,
};
