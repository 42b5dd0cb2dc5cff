//go:build unix

package ship

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user plus system) the test process has
// used. Benchmarks report it per operation next to wall time, since on a
// shared machine wall time also counts waiting for a CPU.
func processCPU() time.Duration {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano()) + time.Duration(u.Stime.Nano())
}
