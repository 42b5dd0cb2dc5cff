//go:build unix

package carrier_test

import (
	"syscall"
	"time"
)

// cpuTime returns the process's user and system CPU time, which unlike
// wall time does not count time spent waiting for a busy machine's CPUs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
