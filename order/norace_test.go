package order

// raceEnabled is set when the tests run under the race detector, which
// makes the long randomized runs shorter.
var raceEnabled bool
