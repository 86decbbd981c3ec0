// GC pacing: keep a live heap of L MiB (a ring of 64 KiB blocks), then allocate A MiB more in 64 KiB
// blocks, each replacing the oldest live block (so the live heap stays L). Prints JSON: GC cycles
// during the allocation phase, bytes allocated, and the heap goal at the end.
// Usage: GOGC=g [GOMEMLIMIT=…] gcpace L A
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
)

const block = 64 << 10

func main() {
	l, _ := strconv.Atoi(os.Args[1])
	a, _ := strconv.Atoi(os.Args[2])
	n := l << 20 / block
	ring := make([][]byte, n)
	for i := range ring {
		ring[i] = make([]byte, block)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	total := a << 20 / block
	for i := 0; i < total; i++ {
		b := make([]byte, block)
		b[0] = byte(i)
		ring[i%n] = b
	}
	runtime.ReadMemStats(&after)
	out, _ := json.Marshal(map[string]interface{}{
		"cycles":         after.NumGC - before.NumGC,
		"allocatedBytes": after.TotalAlloc - before.TotalAlloc,
		"nextGC":         after.NextGC,
	})
	fmt.Println(string(out))
}
