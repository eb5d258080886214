package schedule

import (
	"testing"
	"time"
)

// BenchmarkNextAfter: one next-run computation of a daily cron in a zone with DST.
func BenchmarkNextAfter(b *testing.B) {
	loc, _ := LoadZone("America/New_York")
	spec, err := ParseCron("30 2 * * 1-5", loc)
	if err != nil {
		b.Fatal(err)
	}
	t := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for b.Loop() {
		t = NextAfter(spec, t)
	}
}
