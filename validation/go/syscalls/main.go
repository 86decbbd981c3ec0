// Blocking syscalls: G goroutines loop on a raw nanosleep syscall of S ms (the M blocks in the
// kernel); meanwhile count the process's OS threads (/proc/self/status). Prints JSON: threads at the end.
// Usage: GOMAXPROCS=P syscalls G S D   (D: run for D ms)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

func threads() int {
	f, _ := os.Open("/proc/self/status")
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if strings.HasPrefix(s.Text(), "Threads:") {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(s.Text(), "Threads:")))
			return n
		}
	}
	return -1
}

func main() {
	g, _ := strconv.Atoi(os.Args[1])
	ms, _ := strconv.Atoi(os.Args[2])
	d, _ := strconv.Atoi(os.Args[3])
	ts := syscall.Timespec{Sec: int64(ms / 1000), Nsec: int64(ms%1000) * 1e6}
	for i := 0; i < g; i++ {
		go func() {
			for {
				// A raw syscall: the runtime's entersyscall/exitsyscall, no netpoller.
				syscall.Syscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
			}
		}()
	}
	time.Sleep(time.Duration(d) * time.Millisecond)
	out, _ := json.Marshal(map[string]interface{}{"threads": threads()})
	fmt.Println(string(out))
}
