// Blocking syscalls: G goroutines loop on a raw nanosleep syscall of S ms (the M blocks in the
// kernel); meanwhile count the process's OS threads (/proc/self/status). Prints JSON: threads at the end.
// With C and K: C goroutines each run K units of 1 ms of CPU work beside the syscalls; also prints how
// long they took (cpuMs), the throughput of CPU work next to blocking syscalls.
// Usage: GOMAXPROCS=P syscalls G S D [C K]   (D: run for at least D ms)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"gmpsim/validation/work"
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
	iters := uint64(work.ItersPer(time.Millisecond))
	ts := syscall.Timespec{Sec: int64(ms / 1000), Nsec: int64(ms%1000) * 1e6}
	for i := 0; i < g; i++ {
		go func() {
			for {
				// A raw syscall: the runtime's entersyscall/exitsyscall, no netpoller.
				syscall.Syscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
			}
		}()
	}
	res := map[string]interface{}{}
	if len(os.Args) > 5 {
		c, _ := strconv.Atoi(os.Args[4])
		k, _ := strconv.Atoi(os.Args[5])
		var wg sync.WaitGroup
		start := time.Now()
		for i := 0; i < c; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < k; j++ {
					work.Sink += work.Spin(iters)
				}
			}()
		}
		wg.Wait()
		res["cpuMs"] = float64(time.Since(start).Nanoseconds()) / 1e6
	}
	time.Sleep(time.Duration(d) * time.Millisecond)
	res["threads"] = threads()
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
}
