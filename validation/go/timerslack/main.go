// Starts a program with its threads' Linux timer slack set: prctl(PR_SET_TIMERSLACK, NS) on this thread,
// then execve on the same thread. The slack survives execve and every thread the program creates
// inherits it (prctl(2)), sysmon's too, so the program's sysmon loops (usleep(20) is a nanosleep) return
// late by NS plus the machine's wake-up instead of the kernel's default 50 µs plus that wake-up. The Go
// runtime never sets a slack itself. Issue 26: real Go's share of runs in the syscall backlog against
// the length of sysmon's loop.
// Usage: timerslack NS PROG ARGS...
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
)

const prSetTimerslack = 29 // PR_SET_TIMERSLACK, linux/prctl.h

func init() { runtime.LockOSThread() } // prctl and execve on one thread: the slack is per thread

func main() {
	ns, err := strconv.ParseUint(os.Args[1], 10, 64)
	if err != nil || ns == 0 {
		fmt.Fprintln(os.Stderr, "timerslack: NS must be a positive integer (0 means the default slack)")
		os.Exit(2)
	}
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prSetTimerslack, uintptr(ns), 0); e != 0 {
		fmt.Fprintln(os.Stderr, "timerslack: prctl:", e)
		os.Exit(1)
	}
	if err := syscall.Exec(os.Args[2], os.Args[2:], os.Environ()); err != nil {
		fmt.Fprintln(os.Stderr, "timerslack: exec", os.Args[2]+":", err)
		os.Exit(1)
	}
}
