// Micro-benchmarks that calibrate gmpsim's cost defaults on this machine (GOMAXPROCS=1, so no other P
// steals or spins). Prints JSON, one figure each (median of 5 runs, ns unless named otherwise):
//
//	chanOpNs          a buffered channel send or receive in one goroutine (never blocks)
//	pingPongNs        one round trip between two goroutines over unbuffered channels
//	goCreateNs        `go f()` of an empty f, its run and its exit, per goroutine (batches of 64)
//	syscallNs         syscall.Syscall(getpid) minus syscall.RawSyscall(getpid): entersyscall + exitsyscall
//	usleepLateNs      how late a raw nanosleep of 20 µs (sysmon's usleep(20)) returns: timer slack + wake-up
//	markedMB          with GODEBUG=gctrace=1, forced GCs of a pointer-dense heap (read gctrace for mark CPU)
//
// Usage: GOMAXPROCS=1 GODEBUG=gctrace=1 calibrate
//
//	GOMAXPROCS=1 calibrate malloc   prints only mallocNs: object size (B) → ns per make([]byte, size) that
//	                                escapes to the heap (mallocgc: size class or large span, zeroing),
//	                                beside a 256 MiB noscan ballast so GC is rare
//	calibrate usleep                prints only usleepLateNs
//	calibrate usleepdist N BESIDE   prints only usleepLate: the quantiles of N single usleep(20)s' lateness
//	                                (ns), the share over 300 µs and 1.2 ms and a histogram, with BESIDE on
//	                                the same core (run it under taskset -c CPU): none; spin, a thread
//	                                spinning throughout; handler, a thread running httpsyscalls' handler
//	                                back to back (an exponential burst of mean 1 ms, then a 5 ms nanosleep)
//	calibrate sysmoncost ROUNDS MS  prints only sysmonCost: what one sysmon-like wake (a raw nanosleep of
//	                                20 µs, then the next) costs a spinning thread on the same core (run it
//	                                under taskset -c CPU): ROUNDS pairs of MS-long windows, the spinner alone
//	                                then beside the sleeper (alternating which comes first), and per pair the
//	                                spinner's lost progress over the sleeper's wakes, ns per wake
package main

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"gmpsim/validation/work"
)

// typical: the median of 5 timed runs of f(n), per iteration (not the best: the model needs the usual cost).
func typical(n int, f func(n int)) float64 {
	ns := make([]float64, 5)
	for k := range ns {
		t := time.Now()
		f(n)
		ns[k] = float64(time.Since(t).Nanoseconds()) / float64(n)
	}
	sort.Float64s(ns)
	return ns[2]
}

type node struct {
	next  *node
	other *node
	pad   [6]uint64
}

var keep []*node

// sinkBytes keeps each allocation escaping to the heap (mallocgc, not the stack).
var sinkBytes []byte

// mallocNs: ns per heap allocation of `size` bytes. The ballast (noscan, so nothing to mark) puts the next
// GC 256 MiB away; each timed batch starts right after a forced GC, so spans come back swept and reused:
// mallocgc's steady state, zeroing included (needzero), not fresh pages from the OS.
func mallocNs(size int) float64 {
	n := (64 << 20) / size
	if n > 200_000 {
		n = 200_000
	}
	ns := make([]float64, 5)
	for k := range ns {
		runtime.GC()
		t := time.Now()
		for i := 0; i < n; i++ {
			sinkBytes = make([]byte, size)
		}
		ns[k] = float64(time.Since(t).Nanoseconds()) / float64(n)
	}
	sort.Float64s(ns)
	return ns[2]
}

// usleepLateNs: how late sysmon's usleep(20), a nanosleep, returns: the kernel lets it return late by the
// timer slack (50 µs unless the thread sets its own) plus the wake-up. The median of single calls: a busy
// machine's long tails are other tenants, not the kernel's rule.
func usleepLateNs() float64 {
	ts := syscall.Timespec{Nsec: 20_000}
	late := make([]float64, 2001)
	for i := range late {
		t := time.Now()
		syscall.RawSyscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
		late[i] = float64(time.Since(t).Nanoseconds()) - 20_000
	}
	sort.Float64s(late)
	return late[len(late)/2]
}

// usleepLateEdgesUs: the histogram's bucket edges, µs late (the last bucket is open).
var usleepLateEdgesUs = []float64{0, 25, 50, 60, 70, 80, 90, 100, 150, 200, 300, 500, 1000, 1200, 2000, 3000, 5000}

// usleepLateDist: the distribution of a usleep(20)'s lateness, as sysmon's loops see it (issue 26: sysmon
// backs off after 50 idle loops, so how long 50 of them take turns on the tail as well as the median).
// beside runs on another thread of this process, pinned with it to one core by the caller's taskset, as the
// real server's handler thread shares CPU 0 with its sysmon.
func usleepLateDist(n int, beside string) map[string]interface{} {
	if beside != "none" && beside != "spin" && beside != "handler" {
		fmt.Fprintln(os.Stderr, "calibrate usleepdist: BESIDE is none, spin or handler, found", beside)
		os.Exit(2)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	if beside != "none" {
		runtime.GOMAXPROCS(2) // the sleeper holds its P through RawSyscall: the other thread needs its own
		itersPerUs := work.ItersPer(time.Millisecond) / 1000
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			r := rand.New(rand.NewSource(1))
			ts := syscall.Timespec{Nsec: 5_000_000}
			for {
				select {
				case <-stop:
					return
				default:
				}
				switch beside {
				case "spin":
					work.Sink += work.Spin(uint64(1000 * itersPerUs))
				case "handler":
					work.Sink += work.Spin(uint64(r.ExpFloat64() * 1000 * itersPerUs))
					syscall.Syscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
				}
			}
		}()
		time.Sleep(50 * time.Millisecond)
	}
	runtime.LockOSThread()
	ts := syscall.Timespec{Nsec: 20_000}
	late := make([]float64, n)
	for i := 0; i < n; {
		t := time.Now()
		_, _, e := syscall.RawSyscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
		if e == syscall.EINTR {
			// The runtime's preemption signal (sysmon sees this goroutine running, not in a syscall): a
			// sleep cut short, not one sysmon makes. Sleep again.
			continue
		}
		late[i] = float64(time.Since(t).Nanoseconds()) - 20_000
		i++
	}
	close(stop)
	wg.Wait()
	counts := make([]int, len(usleepLateEdgesUs))
	over300, over1200, sum := 0, 0, 0.0
	for _, x := range late {
		us := x / 1000
		k := sort.SearchFloat64s(usleepLateEdgesUs, us)
		if k == len(usleepLateEdgesUs) || usleepLateEdgesUs[k] > us {
			k--
		}
		if k < 0 {
			k = 0
		}
		counts[k]++
		if us > 300 {
			over300++
		}
		if us > 1200 {
			over1200++
		}
		sum += x
	}
	sort.Float64s(late)
	q := func(p float64) float64 { return late[int(p*float64(n-1)+0.5)] }
	// The table costs.usleepLateQuantilesUs takes (q 0 is the fastest, q 1 the slowest), µs.
	table := []map[string]float64{}
	for _, p := range []float64{0, 0.01, 0.1, 0.5, 0.9, 0.97, 0.99, 0.999, 1} {
		table = append(table, map[string]float64{"q": p, "us": float64(int(q(p)/100+0.5)) / 10})
	}
	return map[string]interface{}{
		"n": n, "beside": beside, "quantilesUs": table,
		"p50Ns": q(0.5), "p90Ns": q(0.9), "p99Ns": q(0.99), "p999Ns": q(0.999), "maxNs": late[n-1],
		"meanNs":     sum / float64(n),
		"over300us":  float64(over300) / float64(n),
		"over1200us": float64(over1200) / float64(n),
		"histogram":  map[string]interface{}{"edgesUs": usleepLateEdgesUs, "counts": counts},
	}
}

// sysmonCost (issue 26): the real server runs every thread on one core (httpsyscalls re-executes itself under
// taskset), so each wake of sysmon's thread (a context switch in, the loop body, a switch out) takes the CPU
// from the handler's thread. A spinner (the handler's CPU burst) counts its progress in windows of ms each,
// alternately alone and beside a thread doing nanosleep(20 µs) back to back (sysmon at its shortest loops;
// its loop body, a few loads and retake's walk over one P, is a fraction of a µs beside the two switches).
// Per pair of windows: (1 − rate beside / rate alone) × the window's ns / the sleeper's wakes in it.
// threadCpuNs: the calling thread's CPU time so far (getrusage RUSAGE_THREAD), ns.
func threadCpuNs() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(1, &ru) // RUSAGE_THREAD
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func sysmonCost(rounds, ms int) map[string]interface{} {
	runtime.GOMAXPROCS(2) // the sleeper holds its P through RawSyscall: the spinner needs its own
	var on, stop int32
	var wakes, sleeperCpuNs int64
	ready := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		close(ready)
		defer func() { atomic.StoreInt64(&sleeperCpuNs, threadCpuNs()) }()
		short := syscall.Timespec{Nsec: 20_000}
		long := syscall.Timespec{Nsec: 50_000_000}
		for atomic.LoadInt32(&stop) == 0 {
			if atomic.LoadInt32(&on) == 1 {
				syscall.RawSyscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&short)), 0, 0)
				atomic.AddInt64(&wakes, 1)
			} else {
				// Off: a wake every 50 ms at most, a few hundredths of a per cent of the wakes when on.
				syscall.RawSyscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&long)), 0, 0)
			}
		}
	}()
	<-ready
	runtime.LockOSThread()
	cpu0 := threadCpuNs()
	const chunk = 2_000 // ~1-2 µs of spinning between clock reads
	window := func(beside bool) (itersPerNs float64, w int64) {
		if beside {
			atomic.StoreInt32(&on, 1)
		}
		time.Sleep(60 * time.Millisecond) // the sleeper sees the flag (it may be in a 50 ms sleep)
		w0 := atomic.LoadInt64(&wakes)
		t0 := time.Now()
		var iters uint64
		for time.Since(t0) < time.Duration(ms)*time.Millisecond {
			work.Sink += work.Spin(chunk)
			iters += chunk
		}
		el := time.Since(t0)
		w = atomic.LoadInt64(&wakes) - w0
		atomic.StoreInt32(&on, 0)
		return float64(iters) / float64(el.Nanoseconds()), w
	}
	costs := make([]float64, 0, rounds)
	var besideNs int64
	wakesPerMs := make([]float64, 0, rounds)
	slow := make([]float64, 0, rounds)
	for r := 0; r < rounds; r++ {
		var alone, beside float64
		var w int64
		if r%2 == 0 {
			alone, _ = window(false)
			beside, w = window(true)
		} else {
			beside, w = window(true)
			alone, _ = window(false)
		}
		besideNs += int64(ms) * 1e6
		lost := (1 - beside/alone) * float64(ms) * 1e6
		costs = append(costs, lost/float64(w))
		wakesPerMs = append(wakesPerMs, float64(w)/float64(ms))
		slow = append(slow, alone/beside)
	}
	spinCpu := threadCpuNs() - cpu0
	atomic.StoreInt32(&stop, 1)
	for atomic.LoadInt64(&sleeperCpuNs) == 0 {
		time.Sleep(time.Millisecond)
	}
	med := func(xs []float64) float64 {
		s := append([]float64(nil), xs...)
		sort.Float64s(s)
		return s[len(s)/2]
	}
	return map[string]interface{}{
		"rounds": rounds, "windowMs": ms, "costNsPerWake": costs, "medianCostNsPerWake": med(costs),
		// The sleeper's own CPU time (user + system, RUSAGE_THREAD) per wake while on, and the spinner's CPU
		// over its wall time: what the kernel charges each thread (the wake's switches partly fall to neither).
		"sleeperCpuNsPerWake": float64(atomic.LoadInt64(&sleeperCpuNs)) / float64(atomic.LoadInt64(&wakes)),
		"spinnerCpuNs":        spinCpu, "besideWindowsNs": besideNs,
		"wakesPerMs": wakesPerMs, "medianWakesPerMs": med(wakesPerMs), "slowdown": slow, "medianSlowdown": med(slow),
	}
}

func main() {
	out := map[string]interface{}{}
	if len(os.Args) > 3 && os.Args[1] == "sysmoncost" {
		rounds, err1 := strconv.Atoi(os.Args[2])
		ms, err2 := strconv.Atoi(os.Args[3])
		if err1 != nil || err2 != nil || rounds < 1 || ms < 1 {
			fmt.Fprintln(os.Stderr, "calibrate sysmoncost: ROUNDS and MS must be positive integers, found", os.Args[2:])
			os.Exit(2)
		}
		out["sysmonCost"] = sysmonCost(rounds, ms)
		b, _ := json.Marshal(out)
		fmt.Println(string(b))
		return
	}
	if len(os.Args) > 3 && os.Args[1] == "usleepdist" {
		n, err := strconv.Atoi(os.Args[2])
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "calibrate usleepdist: N must be a positive integer, found", os.Args[2])
			os.Exit(2)
		}
		out["usleepLate"] = usleepLateDist(n, os.Args[3])
		b, _ := json.Marshal(out)
		fmt.Println(string(b))
		return
	}
	// `calibrate malloc`: only the mallocgc timings, in a process of their own, so that their forced GCs
	// (of a noscan ballast: no mark work) stay out of the gctrace the scan rate is read from.
	// `calibrate usleep`: only usleepLateNs, for a measurement beside real runs (validation/onset.ts).
	if len(os.Args) > 1 && os.Args[1] == "usleep" {
		out["usleepLateNs"] = usleepLateNs()
		b, _ := json.Marshal(out)
		fmt.Println(string(b))
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "malloc" {
		ballast := make([]byte, 256<<20)
		malloc := map[string]float64{}
		for _, size := range []int{16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576} {
			malloc[strconv.Itoa(size)] = mallocNs(size)
		}
		runtime.KeepAlive(ballast)
		out["mallocNs"] = malloc
		b, _ := json.Marshal(out)
		fmt.Println(string(b))
		return
	}
	out["chanOpNs"] = typical(1_000_000, func(n int) {
		c := make(chan int, 1)
		for i := 0; i < n; i++ {
			c <- i
			<-c
		}
	}) / 2
	out["pingPongNs"] = typical(1_000_000, work.PingPong)
	// In batches of 64, as a handler fanning out does (dead Gs are reused from the free list).
	out["goCreateNs"] = typical(200_000, func(n int) {
		var wg sync.WaitGroup
		for i := 0; i < n; i += 64 {
			wg.Add(64)
			for j := 0; j < 64; j++ {
				go wg.Done()
			}
			wg.Wait()
		}
	})
	raw := typical(1_000_000, func(n int) {
		for i := 0; i < n; i++ {
			syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0)
		}
	})
	full := typical(1_000_000, func(n int) {
		for i := 0; i < n; i++ {
			syscall.Syscall(syscall.SYS_GETPID, 0, 0, 0)
		}
	})
	out["syscallNs"] = full - raw
	out["usleepLateNs"] = usleepLateNs()
	// A 256 MiB pointer-dense heap (64-byte nodes, two pointers each), then forced GCs: gctrace reports
	// the marked heap and the mark CPU time of each.
	const nodes = 256 << 20 / 64
	keep = make([]*node, 0, nodes)
	var prev *node
	for i := 0; i < nodes; i++ {
		n := &node{next: prev}
		if i > 0 {
			n.other = keep[(i*7919)%i]
		}
		keep = append(keep, n)
		prev = n
	}
	runtime.GC()
	for k := 0; k < 5; k++ {
		runtime.GC()
	}
	out["markedMB"] = float64(nodes*64+nodes*8) / (1 << 20)
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
}
