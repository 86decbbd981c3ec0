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
)

var sink uint64

// spin does `iters` iterations of cheap integer work the compiler cannot remove.
func spin(iters uint64) uint64 {
	x := uint64(1)
	for i := uint64(0); i < iters; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

// itersPerMs calibrates the loop on one goroutine (best of 5 × 20 ms).
func itersPerMs() float64 {
	best := 0.0
	for k := 0; k < 5; k++ {
		const n = 2_000_000
		t := time.Now()
		sink += spin(n)
		r := float64(n) / (float64(time.Since(t).Nanoseconds()) / 1e6)
		if r > best {
			best = r
		}
	}
	return best
}

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	w, _ := strconv.ParseFloat(os.Args[2], 64)
	iters := uint64(itersPerMs() * w)
	done := make([]float64, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sink += spin(iters)
			done[i] = float64(time.Since(start).Nanoseconds()) / 1e6
		}(i)
	}
	wg.Wait()
	total := float64(time.Since(start).Nanoseconds()) / 1e6
	out, _ := json.Marshal(map[string]interface{}{"totalMs": total, "doneMs": done})
	fmt.Println(string(out))
}
