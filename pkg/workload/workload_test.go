package workload

import "testing"

func TestATargetRoundTripsForEveryKind(t *testing.T) {
	for _, r := range []Ref{
		{Namespace: "shop", Kind: Deployment, Name: "api"},
		{Namespace: "shop", Kind: StatefulSet, Name: "db"},
		{Namespace: "kube-system", Kind: DaemonSet, Name: "node-agent"},
	} {
		got, err := ParseTarget(r.Target())
		if err != nil || got != r {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %+v", r.Target(), got, err, r)
		}
	}
}

func TestADeploymentKeepsTheTwoPartTargetWrittenBeforeKindsExisted(t *testing.T) {
	if got := (Ref{Namespace: "shop", Name: "api"}).Target(); got != "shop/api" {
		t.Errorf("Target = %q, want shop/api", got)
	}
	if got := (Ref{Namespace: "shop", Kind: StatefulSet, Name: "db"}).Target(); got != "shop/StatefulSet/db" {
		t.Errorf("Target = %q, want shop/StatefulSet/db", got)
	}
}

func TestAKindIsReadInAnyCaseAndEmptyMeansDeployment(t *testing.T) {
	for in, want := range map[string]string{"": Deployment, "statefulset": StatefulSet, "DAEMONSET": DaemonSet, "Deployment": Deployment} {
		if got, err := ParseKind(in); err != nil || got != want {
			t.Errorf("ParseKind(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseKind("CronJob"); err == nil {
		t.Error("ParseKind(CronJob) accepted a kind the product does not control")
	}
}

func TestMalformedTargetsAreRefused(t *testing.T) {
	for _, s := range []string{"", "api", "/api", "shop/", "shop//api", "a/b/c/d", "shop/Job/x"} {
		if r, err := ParseTarget(s); err == nil {
			t.Errorf("ParseTarget(%q) = %+v, want an error", s, r)
		}
	}
}

func TestOnlyDaemonSetsHaveNoReplicas(t *testing.T) {
	if !HasReplicas(Deployment) || !HasReplicas(StatefulSet) || HasReplicas(DaemonSet) {
		t.Error("HasReplicas: want Deployment and StatefulSet true, DaemonSet false")
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"shop/api", "shop/StatefulSet/db", "", "a/b/c/d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseTarget(s)
		if err != nil {
			return
		}
		back, err := ParseTarget(r.Target())
		if err != nil || back != r {
			t.Fatalf("%q parsed to %+v, whose target %q parses to %+v, %v", s, r, r.Target(), back, err)
		}
	})
}
