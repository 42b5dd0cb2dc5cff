//go:build !race

package pick

// raceEnabled reports a build with the race detector, which makes the
// randomized checks run fewer instances to stay quick.
const raceEnabled = false
