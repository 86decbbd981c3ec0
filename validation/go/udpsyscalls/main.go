// Requests over the network beside blocking syscalls. The server (this process, GOMAXPROCS from the
// environment) has K UDP sockets, each read by its own goroutine that handles every request inline, as
// an HTTP/1.1 server's per-connection goroutine does: C1 µs of CPU, a raw nanosleep syscall of S ms,
// C2 µs of CPU. So a request reaches the runtime only through netpoll readying a parked goroutine (no
// `go` statement, hence no wakep), as in the model. A client process sends one datagram per request at
// Poisson times (R/s for D ms), round-robin over the sockets. Latency runs from the client's send time
// (same host clock). Prints JSON: arrived, completed, p50Ms, p99Ms.
// Usage: GOMAXPROCS=P udpsyscalls SEED R D C1 S C2 K     (client: udpsyscalls client SEED R D ADDR...)
package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand"
	"net"
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

func client(seed, rate, durMs int, addrs []string) {
	r := rand.New(rand.NewSource(int64(seed)))
	conns := make([]net.Conn, len(addrs))
	for i, a := range addrs {
		c, err := net.Dial("udp", a)
		if err != nil {
			panic(err)
		}
		conns[i] = c
	}
	buf := make([]byte, 8)
	start := time.Now()
	next := start
	for i := 0; time.Since(start) < time.Duration(durMs)*time.Millisecond; i++ {
		next = next.Add(time.Duration(r.ExpFloat64() / float64(rate) * 1e9))
		time.Sleep(time.Until(next))
		binary.LittleEndian.PutUint64(buf, uint64(time.Now().UnixNano()))
		conns[i%len(conns)].Write(buf)
	}
	binary.LittleEndian.PutUint64(buf, 0) // end of stream, on every socket
	for _, c := range conns {
		c.Write(buf)
	}
}

func main() {
	if os.Args[1] == "client" {
		client(atoi(os.Args[2]), atoi(os.Args[3]), atoi(os.Args[4]), os.Args[5:])
		return
	}
	seed, rate, durMs, c1, sMs, c2, k := os.Args[1], os.Args[2], os.Args[3], atoi(os.Args[4]), atoi(os.Args[5]), atoi(os.Args[6]), atoi(os.Args[7])
	itersPerUs := float64(work.ItersPer(time.Millisecond)) / 1000
	ts := syscall.Timespec{Sec: int64(sMs / 1000), Nsec: int64(sMs%1000) * 1e6}
	var mu sync.Mutex
	var lat []float64
	arrived := 0
	var wg sync.WaitGroup
	args := []string{"client", seed, rate, durMs}
	for i := 0; i < k; i++ {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		args = append(args, pc.LocalAddr().String())
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 8)
			for {
				n, _, err := pc.ReadFrom(buf)
				if err != nil || n != 8 {
					panic(fmt.Sprint("read: ", err))
				}
				sent := int64(binary.LittleEndian.Uint64(buf))
				if sent == 0 {
					return
				}
				work.Sink += work.Spin(uint64(float64(c1) * itersPerUs))
				syscall.Syscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
				work.Sink += work.Spin(uint64(float64(c2) * itersPerUs))
				d := float64(time.Now().UnixNano()-sent) / 1e6
				mu.Lock()
				arrived++
				lat = append(lat, d)
				mu.Unlock()
			}
		}()
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	if err := cmd.Run(); err != nil {
		panic(err)
	}
	wg.Wait()
	sort.Float64s(lat)
	q := func(p float64) float64 { return lat[int(p*float64(len(lat)-1))] }
	out, _ := json.Marshal(map[string]interface{}{"requests": arrived, "p50Ms": q(0.5), "p99Ms": q(0.99)})
	fmt.Println(string(out))
}
