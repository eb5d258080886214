package v1alpha1

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ScaleTemp is the value of AnnotationScaleTemp: when a temporary scale was made and from how
// many replicas to how many. The webhook lets replicas-only changes through for a short window
// after At, so an emergency scale-out is not reverted by the control table.
type ScaleTemp struct {
	At       time.Time
	From, To int32
}

// String formats the annotation value: "<RFC 3339 time>@<from>-><to>".
func (s ScaleTemp) String() string {
	return fmt.Sprintf("%s@%d->%d", s.At.UTC().Format(time.RFC3339Nano), s.From, s.To)
}

// ParseScaleTemp reads an AnnotationScaleTemp value. Every error says which part is wrong, so a
// hand-written annotation can be fixed from the webhook's log line.
func ParseScaleTemp(v string) (ScaleTemp, error) {
	at, counts, ok := strings.Cut(v, "@")
	if !ok {
		return ScaleTemp{}, fmt.Errorf("scale-temp %q: want <RFC 3339 time>@<old>-><new>", v)
	}
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return ScaleTemp{}, fmt.Errorf("scale-temp %q: time: %w", v, err)
	}
	// A time whose UTC form falls outside years 1–9999 cannot be written back in RFC 3339
	// (String would not parse again), and no scale happened then.
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return ScaleTemp{}, fmt.Errorf("scale-temp %q: time %s is outside the years 0001–9999 in UTC", v, at)
	}
	from, to, ok := strings.Cut(counts, "->")
	if !ok {
		return ScaleTemp{}, fmt.Errorf("scale-temp %q: replicas %q: want <old>-><new>", v, counts)
	}
	f, err := parseReplicas(from)
	if err != nil {
		return ScaleTemp{}, fmt.Errorf("scale-temp %q: old replicas: %w", v, err)
	}
	n, err := parseReplicas(to)
	if err != nil {
		return ScaleTemp{}, fmt.Errorf("scale-temp %q: new replicas: %w", v, err)
	}
	return ScaleTemp{At: t, From: f, To: n}, nil
}

func parseReplicas(s string) (int32, error) {
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	if n < 0 {
		return 0, fmt.Errorf("%d is negative", n)
	}
	return int32(n), nil
}
