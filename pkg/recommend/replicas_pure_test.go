package recommend

import (
	"strings"
	"testing"

	"github.com/kubedoor/kubedoor-grafana/pkg/control"
)

func TestMinReplicasIsValidated(t *testing.T) {
	p := DefaultParams()
	for _, n := range []int32{-1, control.MaxReplicas + 1} {
		p.MinReplicas = n
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "minReplicas") {
			t.Errorf("minReplicas %d: %v", n, err)
		}
	}
}
