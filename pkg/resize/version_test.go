package resize

import (
	"errors"
	"testing"

	"k8s.io/apimachinery/pkg/version"
	fakediscovery "k8s.io/client-go/discovery/fake"
	kubefake "k8s.io/client-go/kubernetes/fake"
)

func TestCheckServer(t *testing.T) {
	cases := []struct {
		name        string
		gitVersion  string
		unsupported bool
	}{
		{"1.33 serves pods/resize", "v1.33.0", false},
		{"1.34 with a vendor suffix serves it", "v1.34.4-eks-1234", false},
		{"1.32 is refused", "v1.32.9", true},
		{"1.27 (alpha behind a gate) is refused", "v1.27.3+k3s1", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := kubefake.NewClientset().Discovery().(*fakediscovery.FakeDiscovery)
			d.FakedServerVersion = &version.Info{GitVersion: tc.gitVersion}
			err := CheckServer(d)
			if got := errors.Is(err, ErrUnsupported); got != tc.unsupported || (!tc.unsupported && err != nil) {
				t.Fatalf("CheckServer(%s) = %v; unsupported want %v", tc.gitVersion, err, tc.unsupported)
			}
		})
	}
}
