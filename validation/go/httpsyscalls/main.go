// A net/http server whose handler spins an exponential CPU burst (mean C µs) and then makes one raw
// blocking nanosleep of S ms (syscall.Syscall, so the M blocks in the kernel and sysmon may retake its
// P), against an open-loop Poisson client in a separate process: R requests/s for D ms over keep-alive
// connections, latency from each request's scheduled send time. The server runs pinned to CPU A, the
// client to CPU B (taskset), loopback only. A request reaches the runtime as real HTTP/1.1 does: its
// connection's goroutine is readied by netpoll, reads, handles, writes and parks in netpoll again.
//
// The server prints the client's JSON: requests sent and completed, overall p50/p99 ms, and per second
// of the run (by completion time) the p50 and count, plus the first second whose p50 passes 10× the
// mean service time (C + S) — when the syscall backlog began (-1 if never). Requests still in flight at
// the end (the client waits at most 1 s more) count with their age then, a lower bound. cpuStretch is the
// wall time the handler's CPU bursts took over the time asked for: above 1, other processes shared CPU A.
// Usage: GOMAXPROCS=P httpsyscalls SEED R D C S A B     (client: httpsyscalls client SEED R D C S URL)
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"gmpsim/validation/work"
)

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func quantile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[int(p*float64(len(s)-1))]
}

func client(seed, rate, durMs, cpuUs, sMs int, url string) {
	r := rand.New(rand.NewSource(int64(seed)))
	tr := &http.Transport{MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, DisableCompression: true}
	hc := &http.Client{Transport: tr}
	get := func() error {
		resp, err := hc.Get(url)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	// Warm 16 keep-alive connections, so the run starts with idle connections to reuse, as a live service has.
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); get() }()
	}
	wg.Wait()
	type done struct{ at, lat float64 }
	var mu sync.Mutex
	var results []done
	var inflight = map[int]time.Time{}
	start := time.Now()
	next := start
	sent := 0
	for time.Since(start) < time.Duration(durMs)*time.Millisecond {
		next = next.Add(time.Duration(r.ExpFloat64() / float64(rate) * 1e9))
		time.Sleep(time.Until(next))
		sched := next
		id := sent
		sent++
		mu.Lock()
		inflight[id] = sched
		mu.Unlock()
		go func() {
			if err := get(); err != nil {
				panic(err)
			}
			now := time.Now()
			mu.Lock()
			delete(inflight, id)
			results = append(results, done{now.Sub(start).Seconds(), float64(now.Sub(sched).Nanoseconds()) / 1e6})
			mu.Unlock()
		}()
	}
	end := time.Now().Add(time.Second)
	for time.Now().Before(end) {
		mu.Lock()
		n := len(inflight)
		mu.Unlock()
		if n == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	now := time.Now()
	completed := len(results)
	for _, sched := range inflight {
		results = append(results, done{now.Sub(start).Seconds(), float64(now.Sub(sched).Nanoseconds()) / 1e6})
	}
	secs := durMs/1000 + 2
	per := make([][]float64, secs)
	var all []float64
	for _, d := range results {
		s := int(d.at)
		if s >= secs {
			s = secs - 1
		}
		per[s] = append(per[s], d.lat)
		all = append(all, d.lat)
	}
	p50s := make([]float64, 0, secs)
	counts := make([]int, 0, secs)
	trap := -1
	for s := 0; s < durMs/1000; s++ {
		p := quantile(per[s], 0.5)
		p50s = append(p50s, p)
		counts = append(counts, len(per[s]))
		if trap < 0 && p > 10*(float64(cpuUs)/1000+float64(sMs)) {
			trap = s
		}
	}
	mu.Unlock()
	out, _ := json.Marshal(map[string]interface{}{
		"sent": sent, "completed": completed, "p50Ms": quantile(all, 0.5), "p99Ms": quantile(all, 0.99),
		"p50MsPerS": p50s, "countPerS": counts, "trapS": trap,
	})
	fmt.Println(string(out))
}

func main() {
	if os.Args[1] == "client" {
		client(atoi(os.Args[2]), atoi(os.Args[3]), atoi(os.Args[4]), atoi(os.Args[5]), atoi(os.Args[6]), os.Args[7])
		return
	}
	seed, rate, durMs, cpuUs, sMs, cpuA, cpuB := os.Args[1], os.Args[2], os.Args[3], atoi(os.Args[4]), atoi(os.Args[5]), os.Args[6], os.Args[7]
	self, _ := os.Executable()
	if os.Getenv("HTTPSYSCALLS_PINNED") == "" {
		// Pin every thread of the server to CPU A: run again under taskset (threads inherit the mask).
		tsk, err := exec.LookPath("taskset")
		if err != nil {
			panic(err)
		}
		env := append(os.Environ(), "HTTPSYSCALLS_PINNED=1")
		panic(syscall.Exec(tsk, append([]string{"taskset", "-c", cpuA, self}, os.Args[1:]...), env))
	}
	itersPerUs := float64(work.ItersPer(time.Millisecond)) / 1000
	ts := syscall.Timespec{Sec: int64(sMs / 1000), Nsec: int64(sMs%1000) * 1e6}
	var rmu sync.Mutex
	var spunUs, wallUs float64 // CPU bursts asked for, and the wall time they took (other tenants of CPU A)
	r := rand.New(rand.NewSource(int64(atoi(seed)) + 1000))
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		rmu.Lock()
		burst := r.ExpFloat64() * float64(cpuUs)
		rmu.Unlock()
		t := time.Now()
		work.Sink += work.Spin(uint64(burst * itersPerUs))
		wall := time.Since(t)
		rmu.Lock()
		spunUs += burst
		wallUs += float64(wall.Nanoseconds()) / 1e3
		rmu.Unlock()
		syscall.Syscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
		w.Write([]byte("ok"))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(ln, nil)
	cmd := exec.Command("taskset", "-c", cpuB, self, "client", seed, rate, durMs, strconv.Itoa(cpuUs), strconv.Itoa(sMs), "http://"+ln.Addr().String()+"/")
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		panic(err)
	}
	var res map[string]interface{}
	if err := json.Unmarshal(out, &res); err != nil {
		panic(err)
	}
	rmu.Lock()
	res["cpuStretch"] = wallUs / spunUs
	rmu.Unlock()
	b, _ := json.Marshal(res)
	fmt.Println(string(b))
}
