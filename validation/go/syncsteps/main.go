// The steps issue 23 added to gmpsim, as real Go: select with a timeout, close, sync.RWMutex and the
// sync.Mutex starvation mode. Each mode prints one JSON line (times in ms from the start).
//
//	GOMAXPROCS=P syncsteps select N PERIODMS TIMEOUTMS  a producer sends every PERIODMS (buffered, never
//	                                                    blocks); the consumer runs N selects with a
//	                                                    TIMEOUTMS time.After: elapsedMs, timeouts, received
//	GOMAXPROCS=P syncsteps close K SLEEPMS              K receivers park on a channel; after SLEEPMS it is
//	                                                    closed: elapsedMs until all returned, zero (ok=false) count
//	GOMAXPROCS=P syncsteps rwmutex                      R1 RLocks and spins 40 ms; at 10 ms W Locks (spins
//	                                                    20 ms); at 30 ms R2 RLocks (spins 10 ms): each one's
//	                                                    finish, ms
//	GOMAXPROCS=P syncsteps starve N HOLDUS              G1 locks, spins HOLDUS, unlocks, N times back to back;
//	                                                    after 0.2 ms G2 locks once: G2's wait and G1's
//	                                                    mean time per lock (≈ its hold), ms
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

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

func spin(d time.Duration, iters float64) {
	work.Sink += work.Spin(uint64(iters * float64(d.Microseconds())))
}

func main() {
	arg := func(i int) int { v, _ := strconv.Atoi(os.Args[i]); return v }
	out := map[string]interface{}{}
	start := time.Now()
	switch os.Args[1] {
	case "select":
		n, period, timeout := arg(2), time.Duration(arg(3))*time.Millisecond, time.Duration(arg(4))*time.Millisecond
		c := make(chan int, n)
		go func() {
			for i := 0; i < n; i++ {
				time.Sleep(period)
				c <- i
			}
		}()
		timeouts, received := 0, 0
		for i := 0; i < n; i++ {
			select {
			case <-c:
				received++
			case <-time.After(timeout):
				timeouts++
			}
		}
		out["elapsedMs"], out["timeouts"], out["received"] = ms(time.Since(start)), timeouts, received
	case "close":
		k, sleep := arg(2), time.Duration(arg(3))*time.Millisecond
		c := make(chan int)
		var wg sync.WaitGroup
		var mu sync.Mutex
		zeros := 0
		wg.Add(k)
		for i := 0; i < k; i++ {
			go func() {
				defer wg.Done()
				if _, ok := <-c; !ok {
					mu.Lock()
					zeros++
					mu.Unlock()
				}
			}()
		}
		time.Sleep(sleep)
		close(c)
		wg.Wait()
		out["elapsedMs"], out["zeros"] = ms(time.Since(start)), zeros
	case "rwmutex":
		iters := work.ItersPer(time.Microsecond)
		start = time.Now()
		var rw sync.RWMutex
		var wg sync.WaitGroup
		done := map[string]float64{}
		var mu sync.Mutex
		finish := func(who string) {
			mu.Lock()
			done[who] = ms(time.Since(start))
			mu.Unlock()
			wg.Done()
		}
		wg.Add(3)
		// R1 is main: it holds the read lock before W and R2 exist, so a late goroutine start cannot
		// reorder them.
		rw.RLock()
		go func() {
			time.Sleep(10 * time.Millisecond)
			rw.Lock()
			spin(20*time.Millisecond, iters)
			rw.Unlock()
			finish("w")
		}()
		go func() {
			time.Sleep(30 * time.Millisecond)
			rw.RLock()
			spin(10*time.Millisecond, iters)
			rw.RUnlock()
			finish("r2")
		}()
		spin(40*time.Millisecond, iters)
		rw.RUnlock()
		finish("r1")
		wg.Wait()
		out["r1Ms"], out["wMs"], out["r2Ms"] = done["r1"], done["w"], done["r2"]
	case "starve":
		n, hold := arg(2), time.Duration(arg(3))*time.Microsecond
		iters := work.ItersPer(time.Microsecond)
		start = time.Now()
		var m sync.Mutex
		var wg sync.WaitGroup
		wg.Add(2)
		var holdMs float64
		go func() {
			defer wg.Done()
			t := time.Now()
			for i := 0; i < n; i++ {
				m.Lock()
				spin(hold, iters)
				m.Unlock()
			}
			holdMs = ms(time.Since(t)) / float64(n)
		}()
		var waitMs float64
		go func() {
			defer wg.Done()
			time.Sleep(200 * time.Microsecond)
			t := time.Now()
			m.Lock()
			waitMs = ms(time.Since(t))
			m.Unlock()
		}()
		wg.Wait()
		out["waitMs"], out["holdMs"] = waitMs, holdMs
	}
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}
