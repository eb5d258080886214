package main

import "testing"

func TestTheWebhookCollectsAtFiftyPercentUnlessGOGCIsSet(t *testing.T) {
	none := func(string) (string, bool) { return "", false }
	if p, ok := gcPercent(none); !ok || p != 50 {
		t.Fatalf("without GOGC: %d, %v; want 50, applied", p, ok)
	}
	set := func(k string) (string, bool) { return "200", k == "GOGC" }
	if _, ok := gcPercent(set); ok {
		t.Fatal("GOGC=200 in the environment was overridden")
	}
}
