//go:build race

package returns

const raceEnabled = true
