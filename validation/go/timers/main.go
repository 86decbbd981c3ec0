// Timer wake-up latency behind CPU hogs: H goroutines spin forever; one goroutine sleeps 1 ms K times
// and records how late each wake-up is. Prints JSON: lateness samples (ms).
// Usage: GOMAXPROCS=P timers H K
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"time"

	"gmpsim/validation/work"
)

// hog burns CPU forever, never yielding (only async preemption stops it).
func hog() {
	work.Sink += work.Spin(math.MaxUint64) // a tight loop that never returns
}

func main() {
	h, _ := strconv.Atoi(os.Args[1])
	k, _ := strconv.Atoi(os.Args[2])
	for i := 0; i < h; i++ {
		go hog()
	}
	time.Sleep(time.Millisecond) // let the hogs start
	late := make([]float64, 0, k)
	for i := 0; i < k; i++ {
		t := time.Now()
		time.Sleep(time.Millisecond)
		late = append(late, float64(time.Since(t).Nanoseconds())/1e6-1)
	}
	out, _ := json.Marshal(map[string]interface{}{"lateMs": late})
	fmt.Println(string(out))
}
