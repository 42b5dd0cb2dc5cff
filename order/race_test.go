//go:build race

package order

func init() { raceEnabled = true }
