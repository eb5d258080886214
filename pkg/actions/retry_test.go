package actions

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/kubedoor/kubedoor-grafana/pkg/audit"
)

// These unit tests use client-go's fake clientset to produce answers a real apiserver gives only
// under races (409 conflicts) or with a webhook holding an old policy.

type noManual struct{}

func (noManual) SetManualReplicas(context.Context, Workload, int32, Actor) (ManualChange, error) {
	return ManualChange{}, nil
}

type nopAudit struct{}

func (nopAudit) Record(context.Context, audit.Entry) error { return nil }

func (nopAudit) Begin(context.Context, audit.Entry) (uuid.UUID, error) { return uuid.New(), nil }

func fakeWith(t *testing.T, react func(updates int) (int32, error)) (*fake.Clientset, *int) {
	t.Helper()
	two := int32(2)
	cs := fake.NewClientset(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "w", Namespace: "n"}, Spec: appsv1.DeploymentSpec{Replicas: &two}})
	updates := 0
	cs.PrependReactor("get", "deployments", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() != "scale" {
			return false, nil, nil
		}
		return true, &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: "w", Namespace: "n"}, Spec: autoscalingv1.ScaleSpec{Replicas: 2}}, nil
	})
	cs.PrependReactor("update", "deployments", func(a k8stesting.Action) (bool, runtime.Object, error) {
		if a.GetSubresource() != "scale" {
			return false, nil, nil
		}
		updates++
		got, err := react(updates)
		if err != nil {
			return true, nil, err
		}
		return true, &autoscalingv1.Scale{ObjectMeta: metav1.ObjectMeta{Name: "w", Namespace: "n"}, Spec: autoscalingv1.ScaleSpec{Replicas: got}}, nil
	})
	return cs, &updates
}

func TestScaleSubresourceUpdates(t *testing.T) {
	conflict := apierrors.NewConflict(schema.GroupResource{Group: "apps", Resource: "deployments"}, "w", nil)
	tests := []struct {
		name        string
		react       func(updates int) (int32, error)
		wantOK      bool
		wantErr     string
		wantUpdates int
	}{
		{"a 409 conflict is retried with a fresh read", func(n int) (int32, error) {
			if n < 3 {
				return 0, conflict
			}
			return 7, nil
		}, true, "", 3},
		{"a webhook that briefly keeps the old value is waited out", func(n int) (int32, error) {
			if n < 2 {
				return 2, nil
			}
			return 7, nil
		}, true, "", 2},
		{"a webhook that keeps the old value is reported", func(int) (int32, error) { return 2, nil }, false, "kept replicas at 2 instead of 7", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, updates := fakeWith(t, tt.react)
			r := New(Deps{
				Kube: func(string) (kubernetes.Interface, error) { return cs, nil }, Manual: noManual{}, Audit: nopAudit{},
				Log: slog.New(slog.DiscardHandler), VerifyWait: 600 * time.Millisecond,
			})
			res := r.Scale(t.Context(), ScaleRequest{Items: []ScaleItem{{Workload{Cluster: "c", Namespace: "n", Name: "w"}, 7}}}, Actor{User: "u"})
			if res[0].OK != tt.wantOK || !strings.Contains(res[0].Error, tt.wantErr) {
				t.Fatalf("result %+v", res[0])
			}
			if tt.wantUpdates > 0 && *updates != tt.wantUpdates {
				t.Fatalf("%d scale updates, want %d", *updates, tt.wantUpdates)
			}
		})
	}
}

type recordedManual struct{}

func (recordedManual) SetManualReplicas(context.Context, Workload, int32, Actor) (ManualChange, error) {
	return ManualChange{Found: true, Previous: -1, Version: 2}, nil
}

func TestAScaleThatFailsAfterRecordingSaysTheTableHasTheValue(t *testing.T) {
	cs, _ := fakeWith(t, func(int) (int32, error) { return 2, nil })
	r := New(Deps{
		Kube: func(string) (kubernetes.Interface, error) { return cs, nil }, Manual: recordedManual{}, Audit: nopAudit{},
		Log: slog.New(slog.DiscardHandler), VerifyWait: 300 * time.Millisecond,
	})
	res := r.Scale(t.Context(), ScaleRequest{Items: []ScaleItem{{Workload{Cluster: "c", Namespace: "n", Name: "w"}, 7}}}, Actor{User: "u"})
	if res[0].OK || !strings.Contains(res[0].Error, "manual replicas 7 are recorded in the control table") ||
		!strings.Contains(res[0].Error, "kept replicas at 2") {
		t.Fatalf("result %+v", res[0])
	}
}
