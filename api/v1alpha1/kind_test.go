package v1alpha1

import "testing"

func TestPolicyNamesKeepDeploymentsAndPrefixOtherKinds(t *testing.T) {
	for _, c := range []struct{ kind, name, want string }{
		{"", "api", "api"},
		{KindDeployment, "api", "api"},
		{KindStatefulSet, "db", "statefulset.db"},
		{KindDaemonSet, "agent", "daemonset.agent"},
	} {
		if got := PolicyName(c.kind, c.name); got != c.want {
			t.Errorf("PolicyName(%q, %q) = %q, want %q", c.kind, c.name, got, c.want)
		}
	}
}

func TestAnEmptyTargetKindMeansDeployment(t *testing.T) {
	if got := KindOf(CapacityPolicySpec{}); got != KindDeployment {
		t.Fatalf("KindOf(empty) = %q", got)
	}
	if got := KindOf(CapacityPolicySpec{TargetKind: KindDaemonSet}); got != KindDaemonSet {
		t.Fatalf("KindOf(DaemonSet) = %q", got)
	}
}

func TestAPerKindUnknownAnnotationOverridesTheNamespaceDefault(t *testing.T) {
	ann := map[string]string{AnnotationUnknownWorkloads: UnknownWarn, AnnotationUnknownStatefulSets: UnknownDeny}
	for _, c := range []struct{ kind, want string }{
		{KindDeployment, UnknownWarn},
		{KindStatefulSet, UnknownDeny},
		{KindDaemonSet, UnknownWarn}, // no DaemonSet override: the default applies
	} {
		if got := UnknownMode(ann, c.kind); got != c.want {
			t.Errorf("UnknownMode(%s) = %q, want %q", c.kind, got, c.want)
		}
	}
	if got := UnknownMode(nil, KindStatefulSet); got != "" {
		t.Errorf("no annotations: %q, want \"\" (deny)", got)
	}
	// A Deployment is never governed by a per-kind annotation.
	if got := UnknownMode(map[string]string{AnnotationUnknownStatefulSets: UnknownAllow}, KindDeployment); got != "" {
		t.Errorf("Deployment took the StatefulSet override: %q", got)
	}
}
