// CPU-bound goroutines: N goroutines each doing W ms of CPU work (a calibrated loop), started together.
// Prints JSON: total completion time (ms) and each goroutine's completion time (ms), for fairness.
// Usage: GOMAXPROCS=P cpubound N W
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"gmpsim/validation/work"
)

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	w, _ := strconv.ParseFloat(os.Args[2], 64)
	iters := uint64(work.ItersPer(time.Millisecond) * w)
	done := make([]float64, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			work.Sink += work.Spin(iters)
			done[i] = float64(time.Since(start).Nanoseconds()) / 1e6
		}(i)
	}
	wg.Wait()
	total := float64(time.Since(start).Nanoseconds()) / 1e6
	out, _ := json.Marshal(map[string]interface{}{"totalMs": total, "doneMs": done})
	fmt.Println(string(out))
}
