// Package work holds what several validation programs run: a calibrated CPU loop, and the channel
// ping-pong that both the calibration and the ping-pong case time (so the fit is to the same code).
package work

import "time"

// Sink keeps results alive so the compiler cannot remove the loops.
var Sink uint64

// Spin does `iters` iterations of cheap integer work (an LCG step each).
func Spin(iters uint64) uint64 {
	x := uint64(1)
	for i := uint64(0); i < iters; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

// ItersPer calibrates the loop on one goroutine: iterations per `unit` of time (best of 5 runs).
func ItersPer(unit time.Duration) float64 {
	best := 0.0
	for k := 0; k < 5; k++ {
		const n = 2_000_000
		t := time.Now()
		Sink += Spin(n)
		r := float64(n) / (float64(time.Since(t).Nanoseconds()) / float64(unit.Nanoseconds()))
		if r > best {
			best = r
		}
	}
	return best
}

// PingPong makes n round trips between this goroutine and another over two unbuffered channels.
func PingPong(n int) {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for i := 0; i < n; i++ {
			pong <- <-ping
		}
	}()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
}
