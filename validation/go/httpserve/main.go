// A net/http server as a service is: each request asks for a CPU burst (the client draws it, exponential
// with mean C µs, and sends it as ?us=), the handler spins that long on a calibrated loop, optionally
// allocates K KiB of pointer-bearing 64-byte nodes (live until the handler returns) beside a live heap of
// L MiB of the same nodes, and writes "ok". An open-loop Poisson client in a separate process sends R
// requests/s for D ms over keep-alive connections and measures each latency from its scheduled send time
// (no coordinated omission). The server runs pinned to CPUs A (taskset), the client to CPUs B.
//
// With a cgroup directory G (made by the caller under /sys/fs/cgroup/cpu, quota and period already set),
// the server moves itself into G once the client has started (so the client stays outside), reads G's
// cpu.stat at the start and end of the load, and moves itself back to the parent before printing, so the
// caller can remove G. With HTTPSERVE_CLIENT_CGROUP set, the client does the same with that cgroup. GC: the server forces a GC before the load and writes "window-start" and
// "window-end" lines to stderr around it, so a caller running with GODEBUG=gctrace=1 can take the cycles
// of the window.
//
// Prints JSON: sent, completed, p50/p90/p99 ms, the cpu.stat deltas (nr_periods, nr_throttled,
// throttled_time ns; 0 without G), the GC cycles of the window, its length (ms), the server's CPU time in
// it (µs, getrusage: the handlers' bursts plus net/http's and the runtime's own work), and cpuStretch (wall time
// of the handler's bursts over the time asked for: above 1, other processes shared the server's CPUs).
// Usage: GOMAXPROCS=P httpserve SEED R D C K L A B [G]     (client: httpserve client SEED R D C URL)
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
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

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

func client(seed, rate, durMs, cpuUs int, url string) {
	if cg := os.Getenv("HTTPSERVE_CLIENT_CGROUP"); cg != "" {
		joinCgroup(cg)
		defer joinCgroup(filepath.Dir(cg))
	}
	r := rand.New(rand.NewSource(int64(seed)))
	tr := &http.Transport{MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, DisableCompression: true}
	hc := &http.Client{Transport: tr}
	get := func(us float64) error {
		resp, err := hc.Get(fmt.Sprintf("%s?us=%.1f", url, us))
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
		go func() { defer wg.Done(); get(0) }()
	}
	wg.Wait()
	fmt.Fprintln(os.Stderr, "client-ready")
	var mu sync.Mutex
	var lats []float64
	inflight := map[int]time.Time{}
	start := time.Now()
	next := start
	sent := 0
	for time.Since(start) < time.Duration(durMs)*time.Millisecond {
		next = next.Add(time.Duration(r.ExpFloat64() / float64(rate) * 1e9))
		time.Sleep(time.Until(next))
		sched, id, us := next, sent, r.ExpFloat64()*float64(cpuUs)
		sent++
		mu.Lock()
		inflight[id] = sched
		mu.Unlock()
		go func() {
			if err := get(us); err != nil {
				panic(err)
			}
			now := time.Now()
			mu.Lock()
			delete(inflight, id)
			lats = append(lats, float64(now.Sub(sched).Nanoseconds())/1e6)
			mu.Unlock()
		}()
	}
	// Wait up to 2 s for the stragglers; those still out count with their age then (a lower bound).
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(inflight)
		mu.Unlock()
		if n == 0 {
			break
		}
	}
	mu.Lock()
	completed := len(lats)
	for _, sched := range inflight {
		lats = append(lats, float64(time.Since(sched).Nanoseconds())/1e6)
	}
	out, _ := json.Marshal(map[string]interface{}{
		"sent": sent, "completed": completed,
		"p50Ms": quantile(lats, 0.5), "p90Ms": quantile(lats, 0.9), "p99Ms": quantile(lats, 0.99),
	})
	mu.Unlock()
	fmt.Println(string(out))
}

type node struct {
	next, other *node
	pad         [6]uint64
}

var live []*node

// sink keeps the last request's nodes reachable, so the compiler cannot drop the allocation.
var sink []node

// cpuStat reads nr_periods, nr_throttled and throttled_time (ns) from a cgroup v1 cpu.stat.
func cpuStat(dir string) [3]float64 {
	var v [3]float64
	b, err := os.ReadFile(filepath.Join(dir, "cpu.stat"))
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		x, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "nr_periods":
			v[0] = x
		case "nr_throttled":
			v[1] = x
		case "throttled_time":
			v[2] = x
		}
	}
	return v
}

// processCpuUs is the CPU time (user + system) this process has used, µs: every thread's, the runtime's included.
func processCpuUs() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e3
}

func joinCgroup(dir string) {
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(os.Getpid())), 0); err != nil {
		panic(err)
	}
}

func main() {
	if os.Args[1] == "client" {
		client(atoi(os.Args[2]), atoi(os.Args[3]), atoi(os.Args[4]), atoi(os.Args[5]), os.Args[6])
		return
	}
	a := os.Args[1:]
	seed, rate, durMs, cpuUs, allocKB, liveMB, cpuA, cpuB := a[0], a[1], a[2], a[3], atoi(a[4]), atoi(a[5]), a[6], a[7]
	cg := ""
	if len(a) > 8 {
		cg = a[8]
	}
	self, _ := os.Executable()
	if os.Getenv("HTTPSERVE_PINNED") == "" {
		// Pin every thread of the server to CPUs A: run again under taskset (threads inherit the mask).
		tsk, err := exec.LookPath("taskset")
		if err != nil {
			panic(err)
		}
		env := append(os.Environ(), "HTTPSERVE_PINNED=1")
		panic(syscall.Exec(tsk, append([]string{"taskset", "-c", cpuA, self}, os.Args[1:]...), env))
	}
	for i := 0; i < liveMB<<20/64; i++ {
		n := &node{}
		if i > 0 {
			n.next, n.other = live[i-1], live[(i*7919)%i]
		}
		live = append(live, n)
	}
	itersPerUs := work.ItersPer(time.Microsecond)
	var rmu sync.Mutex
	var spunUs, wallUs float64
	http.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		us, _ := strconv.ParseFloat(req.URL.Query().Get("us"), 64)
		var buf []node
		if allocKB > 0 {
			buf = make([]node, allocKB<<10/64)
			buf[0].next = &buf[len(buf)-1]
		}
		t := time.Now()
		work.Sink += work.Spin(uint64(us * itersPerUs))
		wall := time.Since(t)
		rmu.Lock()
		spunUs += us
		wallUs += float64(wall.Nanoseconds()) / 1e3
		if buf != nil {
			sink = buf
		}
		rmu.Unlock()
		w.Write([]byte("ok"))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(ln, nil)
	runtime.GC()
	cmd := exec.Command("taskset", "-c", cpuB, self, "client", seed, rate, durMs, cpuUs, "http://"+ln.Addr().String()+"/")
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1", "GOGC=100", "GOMEMLIMIT=off", "GODEBUG=")
	var out strings.Builder
	cmd.Stdout = &out
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		panic(err)
	}
	var before [3]float64
	if cg != "" {
		joinCgroup(cg)
		before = cpuStat(cg)
	}
	// The client's stderr: its "client-ready" starts the window; anything else is passed on.
	ready := make(chan struct{})
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := stderr.Read(b)
			if n > 0 {
				s := string(b[:n])
				if strings.Contains(s, "client-ready") {
					close(ready)
					s = strings.Replace(s, "client-ready\n", "", 1)
				}
				os.Stderr.WriteString(s)
			}
			if err != nil {
				return
			}
		}
	}()
	<-ready
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	cpu0 := processCpuUs()
	t0 := time.Now()
	fmt.Fprintln(os.Stderr, "window-start")
	if err := cmd.Wait(); err != nil {
		panic(err)
	}
	fmt.Fprintln(os.Stderr, "window-end")
	window := time.Since(t0)
	cpu1 := processCpuUs()
	runtime.ReadMemStats(&ms1)
	var after [3]float64
	if cg != "" {
		after = cpuStat(cg)
		joinCgroup(filepath.Dir(cg))
	}
	var res map[string]interface{}
	if err := json.Unmarshal([]byte(strings.TrimSpace(out.String())), &res); err != nil {
		panic(err)
	}
	rmu.Lock()
	res["cpuStretch"] = 1.0
	if spunUs > 0 {
		res["cpuStretch"] = wallUs / spunUs
	}
	rmu.Unlock()
	res["nrPeriods"], res["nrThrottled"], res["throttledNs"] = after[0]-before[0], after[1]-before[1], after[2]-before[2]
	res["gcCycles"] = ms1.NumGC - ms0.NumGC
	res["serverCpuUs"] = cpu1 - cpu0
	res["windowMs"] = float64(window.Nanoseconds()) / 1e6
	b, err := json.Marshal(res)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
}
