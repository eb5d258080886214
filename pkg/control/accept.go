package control

import (
	"context"
	"errors"
	"fmt"

	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
)

// Why an accept is refused (RefusedError.Code), as the accept route reports them.
const (
	RefusedConflict = "conflict" // the row is no longer at the version the caller saw
	RefusedHPA      = "hpa"      // an HPA owns the replicas: the advice is for its minReplicas
	RefusedNone     = "none"     // the row has no recommendation
	RefusedNotFound = "notFound" // not in the control table
)

// RefusedError is an accept the row's state does not allow.
type RefusedError struct {
	Key    Key
	Code   string // Refused*
	Reason string
}

func (e *RefusedError) Error() string { return fmt.Sprintf("control row %s: %s", e.Key, e.Reason) }

// AcceptRecommended makes the recommendation of the row at expectedVersion its manual replicas
// (a person's decision, so the derivation never changes it again). It is refused with a
// *RefusedError when the row has no recommendation for its replicas (code hpa or none), is
// not in the table (notFound) or has moved on (conflict; the *refusal.Conflict is wrapped).
func (t *Table) AcceptRecommended(ctx context.Context, k Key, expectedVersion uint64, by string) (Change, error) {
	unlock := t.lockRow(k)
	defer unlock()
	cur, err := t.live(ctx, k)
	if errors.Is(err, ErrNotFound) {
		return Change{}, &RefusedError{Key: k, Code: RefusedNotFound, Reason: err.Error()}
	}
	if err != nil {
		return Change{}, err
	}
	if cur.Version != expectedVersion {
		return Change{}, &RefusedError{Key: k, Code: RefusedConflict,
			Reason: conflict(cur, fmt.Sprintf("expected version %d", expectedVersion)).Error()}
	}
	rep := cur.Replicas
	switch {
	case rep.RecommendedFor == RecommendedForHPAMin && rep.Recommended >= 0:
		return Change{}, &RefusedError{Key: k, Code: RefusedHPA,
			Reason: fmt.Sprintf("the HPA owns replicas; set its minReplicas to %d", rep.Recommended)}
	case rep.RecommendedFor != RecommendedForReplicas || rep.Recommended < 0:
		reason := "the row has no recommended replicas"
		if rep.RecommendedReason != "" {
			reason += " (" + rep.RecommendedReason + ")"
		}
		return Change{}, &RefusedError{Key: k, Code: RefusedNone, Reason: reason}
	}
	m := rep.Recommended
	next, err := Edit{ExpectedVersion: &expectedVersion, ReplicasManual: &m}.Apply(cur)
	if err != nil {
		return Change{}, err
	}
	if SameContent(next, cur) { // manual already holds it
		return Change{Before: &cur, After: cur}, nil
	}
	t.stamp(&next, &cur, by)
	ch, err := t.commitChange(ctx, &cur, next)
	var ce *refusal.Conflict[Row]
	if errors.As(err, &ce) {
		return Change{}, &RefusedError{Key: k, Code: RefusedConflict, Reason: ce.Error()}
	}
	return ch, err
}
