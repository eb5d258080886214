package testenv

import "flag"

// Fuzzing reports whether this test process runs a fuzz target (-test.fuzz, or as a fuzz
// worker). Fuzz targets are pure, so a TestMain spares such a process the parts. Call it after
// flag.Parse.
func Fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	w := flag.Lookup("test.fuzzworker")
	return (f != nil && f.Value.String() != "") || (w != nil && w.Value.String() == "true")
}
