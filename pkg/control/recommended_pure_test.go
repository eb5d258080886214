package control

import "testing"

func TestEffectiveReplicasUseTheRecommendationOnlyWhenActive(t *testing.T) {
	tests := []struct {
		name string
		r    Replicas
		eff  int32
		src  string
	}{
		{"switch off: observed", Replicas{Manual: -1, Recommended: 8, RecommendedFor: RecommendedForReplicas, Observed: 12}, 12, ReplicasObserved},
		{"switch on: recommended", Replicas{Manual: -1, Recommended: 8, RecommendedFor: RecommendedForReplicas, RecommendedActive: true, Observed: 12}, 8, ReplicasRecommended},
		{"manual still wins", Replicas{Manual: 5, Recommended: 8, RecommendedFor: RecommendedForReplicas, RecommendedActive: true, Observed: 12}, 5, ReplicasManual},
		{"HPA advice is never enforced", Replicas{Manual: -1, Recommended: 3, RecommendedFor: RecommendedForHPAMin, RecommendedActive: true, Observed: 12}, 12, ReplicasObserved},
		{"active without a value: observed", Replicas{Manual: -1, Recommended: -1, RecommendedActive: true, Observed: 12}, 12, ReplicasObserved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r
			r.Resolve()
			if r.Effective != tt.eff || r.Source != tt.src {
				t.Fatalf("effective %d from %s, want %d from %s", r.Effective, r.Source, tt.eff, tt.src)
			}
		})
	}
}
