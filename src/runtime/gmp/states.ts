/**
 * Status codes with the runtime's own numbering (runtime2.go), so that `--scheddetail` prints the same
 * numbers Go does and readers can cross-check.
 */
export const Gidle = 0; // _Gidle: just allocated
export const Grunnable = 1; // _Grunnable: on a run queue
export const Grunning = 2; // _Grunning: owns an M and a P
export const Gsyscall = 3; // _Gsyscall: in a blocking syscall, owns an M
export const Gwaiting = 4; // _Gwaiting: parked (netpoll, timer, channel, mutex)
export const Gdead = 6; // _Gdead: finished, on a free list

export const Pidle = 0; // _Pidle
export const Prunning = 1; // _Prunning
export const Psyscall = 2; // _Psyscall: Go 1.19 through 1.25 (1.26 retires it to _Psyscall_unused; same retake rule)
export const Pdead = 4; // _Pdead: above GOMAXPROCS (destroyed by procresize, or not yet made)

/** What an M is doing (the runtime has no single field for this; these are the simulator's view). */
export const Mparked = 0; // in stopm, on the idle list (sched.midle)
export const Mrunning = 1; // holds a P, running a G or the scheduler
export const Msyscall = 2; // blocked in a syscall with its G
export const Mpolling = 3; // blocked in netpoll(delay) without a P
export const Mwaking = 4; // woken by startm (notewakeup) or being created; runs after the OS latency

/** gp.waitreason strings (runtime2.go waitReasonStrings) for the states this model produces. */
export const WAIT_NONE = 0;
export const WAIT_IO = 1;
export const WAIT_SLEEP = 2;
export const WAIT_CHAN_RECEIVE = 3;
export const WAIT_SYNC_MUTEX = 4;
export const WAIT_GC_WORKER = 5;
export const WAIT_GC_ASSIST = 6;
export const WAIT_CHAN_SEND = 7;
export const WAIT_SELECT = 8;
export const WAIT_SYNC_RWMUTEX_R = 9;
export const WAIT_SYNC_RWMUTEX_W = 10;
export const WAIT_REASONS = [
  '',
  'IO wait',
  'sleep',
  'chan receive',
  'sync.Mutex.Lock',
  'GC worker (idle)',
  'GC assist wait',
  'chan send',
  'select',
  'sync.RWMutex.RLock',
  'sync.RWMutex.Lock',
] as const;
