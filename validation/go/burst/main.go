// A burst of short goroutines spawned from one goroutine: N children of W µs of CPU each; the parent
// waits for all. Repeated R times; prints JSON: each burst's completion time (ms).
// Usage: GOMAXPROCS=P burst N W R
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
	r, _ := strconv.Atoi(os.Args[3])
	iters := uint64(work.ItersPer(time.Microsecond) * w)
	res := make([]float64, 0, r)
	for k := 0; k < r; k++ {
		var wg sync.WaitGroup
		t := time.Now()
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				work.Sink += work.Spin(iters)
			}()
		}
		wg.Wait()
		res = append(res, float64(time.Since(t).Nanoseconds())/1e6)
		time.Sleep(5 * time.Millisecond)
	}
	out, _ := json.Marshal(map[string]interface{}{"burstMs": res})
	fmt.Println(string(out))
}
