package backtest

import (
	"context"
	"fmt"
	"time"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
	"github.com/kubedoor/kubedoor-grafana/pkg/peaks"
	"github.com/kubedoor/kubedoor-grafana/pkg/refusal"
	"github.com/kubedoor/kubedoor-grafana/pkg/store"
)

// Day counts a backtest accepts: up to the longest peak retention the settings default to.
const (
	DefaultDays = 30
	MaxDays     = 400
)

// Request is a backtest's input: how many days back (nil = DefaultDays) and the row to replay
// (nil = the workload's current control-table row).
type Request struct {
	Days     *int      `json:"days"`
	Proposed *Proposal `json:"proposed"`
}

// Validate checks the request; problems come back as *refusal.FieldError.
func (r Request) Validate() error {
	if r.Days != nil && (*r.Days < 1 || *r.Days > MaxDays) {
		return &refusal.FieldError{Field: "days", Reason: fmt.Sprintf("must be from 1 to %d, got %d", MaxDays, *r.Days)}
	}
	p := r.Proposed
	if p == nil {
		return nil
	}
	if p.Replicas == 0 || p.Replicas < control.Unset || p.Replicas > control.MaxReplicas {
		return &refusal.FieldError{Field: "proposed.replicas", Reason: fmt.Sprintf(
			"must be -1 (as many pods as ran) or from 1 to %d (0 runs no pods: nothing to replay), got %d", control.MaxReplicas, p.Replicas)}
	}
	cs := make([]control.Container, len(p.Containers))
	for i, c := range p.Containers {
		cs[i] = control.Container{Name: c.Name, CPURequestMillis: c.CPURequestMillis, CPULimitMillis: c.CPULimitMillis,
			MemRequestMiB: c.MemRequestMiB, MemLimitMiB: c.MemLimitMiB}
	}
	return control.ValidateValues(cs, "proposed.containers")
}

func (r Request) days() int {
	if r.Days == nil {
		return DefaultDays
	}
	return *r.Days
}

// Service runs backtests on a store.
type Service struct {
	conn  store.Conn
	table *control.Table
}

// New returns a Service reading conn.
func New(conn store.Conn, table *control.Table) *Service { return &Service{conn: conn, table: table} }

// Run replays req against the workload's last days (calendar days in loc, up to now's). Without
// a proposal it replays the current row; a workload neither in the table nor proposed is
// control.ErrNotFound.
func (s *Service) Run(ctx context.Context, k control.Key, loc *time.Location, now time.Time, req Request) (Result, error) {
	if err := req.Validate(); err != nil {
		return Result{}, err
	}
	var p Proposal
	if req.Proposed != nil {
		p = *req.Proposed
	} else {
		row, err := s.table.Get(ctx, k)
		if err == nil && row.Deleted {
			err = fmt.Errorf("%w: %s was removed from control at version %d; propose a row to replay", control.ErrNotFound, k, row.Version)
		}
		if err != nil {
			return Result{}, fmt.Errorf("backtest of %s: %w", k, err)
		}
		p = ProposalOf(row)
	}
	days := req.days()
	samples, err := peaks.WorkloadContainers(ctx, s.conn, k.Cluster, peaks.Workload{Namespace: k.Namespace, Kind: k.Kind, Name: k.Workload}, peaks.LastDays(days, loc, now))
	if err != nil {
		return Result{}, fmt.Errorf("backtest of %s: %w", k, err)
	}
	return Replay(p, samples, days), nil
}
