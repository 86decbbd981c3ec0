// Channels: ping-pong over two unbuffered channels, or a three-stage producer → worker → consumer
// pipeline over buffered channels with W µs of CPU work per item per stage.
// Prints JSON: elapsed ms and the rate (round trips or items per second).
// Usage: GOMAXPROCS=P chans pingpong N
//
//	GOMAXPROCS=P chans pipeline N W CAP
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	"gmpsim/validation/work"
)

func pipeline(n int, iters uint64, capacity int) {
	a, b := make(chan int, capacity), make(chan int, capacity)
	go func() {
		for i := 0; i < n; i++ {
			work.Sink += work.Spin(iters)
			a <- i
		}
	}()
	go func() {
		for i := 0; i < n; i++ {
			v := <-a
			work.Sink += work.Spin(iters)
			b <- v
		}
	}()
	for i := 0; i < n; i++ {
		<-b
		work.Sink += work.Spin(iters)
	}
}

func main() {
	n, _ := strconv.Atoi(os.Args[2])
	var run func()
	switch os.Args[1] {
	case "pingpong":
		run = func() { work.PingPong(n) }
	case "pipeline":
		w, _ := strconv.ParseFloat(os.Args[3], 64)
		capacity, _ := strconv.Atoi(os.Args[4])
		iters := uint64(work.ItersPer(time.Microsecond) * w)
		run = func() { pipeline(n, iters, capacity) }
	}
	start := time.Now()
	run()
	ms := float64(time.Since(start).Nanoseconds()) / 1e6
	out, _ := json.Marshal(map[string]interface{}{"elapsedMs": ms, "perS": float64(n) / (ms / 1e3)})
	fmt.Println(string(out))
}
