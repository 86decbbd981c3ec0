// Mark assist: an open-loop server. A goroutine per request, started every 1/R s by a paced generator;
// each allocates K KiB of pointer-bearing 64-byte nodes, linked so they stay live until it ends, and
// spins W µs. A live heap of L MiB of the same nodes makes each GC mark phase long enough for allocating
// requests to assist. Prints JSON: the handlers' time from start to end, p50 and p99 (ms) — the time
// mark assists, the write barrier and mark workers add — and the GC cycles run. Compare with GOGC=off.
// Usage: GOMAXPROCS=P GOGC=... assist L R K W D   (D: seconds to run)
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"

	"gmpsim/validation/work"
)

type node struct {
	next  *node
	other *node
	pad   [6]uint64
}

var live []*node

func main() {
	arg := func(i int) float64 { v, _ := strconv.ParseFloat(os.Args[i], 64); return v }
	liveMB, rate, allocKB, workUs, seconds := arg(1), arg(2), arg(3), arg(4), arg(5)
	iters := uint64(work.ItersPer(time.Microsecond) * workUs)
	n := int(liveMB * (1 << 20) / 64)
	live = make([]*node, n)
	for i := range live {
		live[i] = &node{}
		if i > 0 {
			live[i].next = live[i-1]
		}
	}
	perReq := int(allocKB * 1024 / 64)
	total := int(rate * seconds)
	lat := make([]float64, total)
	var wg sync.WaitGroup
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	for i := 0; i < total; i++ {
		at := start.Add(time.Duration(float64(i) / rate * 1e9))
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			begin := time.Now()
			var head *node
			for k := 0; k < perReq; k++ {
				head = &node{next: head}
			}
			work.Sink += work.Spin(iters)
			if head.next == nil && perReq > 1 {
				panic("lost")
			}
			lat[i] = float64(time.Since(begin).Nanoseconds()) / 1e6
		}(i)
	}
	wg.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	sort.Float64s(lat)
	q := func(p float64) float64 { return lat[int(p*float64(len(lat)-1))] }
	out, _ := json.Marshal(map[string]interface{}{"p50Ms": q(0.5), "p99Ms": q(0.99), "gcCycles": after.NumGC - before.NumGC, "liveLen": len(live)})
	fmt.Println(string(out))
}
