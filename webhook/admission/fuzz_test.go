package admission

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubedoor/kubedoor-grafana/webhook/server"
)

func reviewJSON(req *admissionv1.AdmissionRequest) []byte {
	b, _ := json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: runtimeTypeMeta(), Request: req,
	})
	return b
}

// FuzzReview drives the whole decoding and decision path with arbitrary review bodies: it must
// never panic, every patch it returns must apply to the object it was given, and the patched
// object must need no further patch (the API server may send it again).
func FuzzReview(f *testing.F) {
	f.Add(reviewJSON(createReq("demo", "api", 1)))
	f.Add(reviewJSON(scaleReq("demo", "api", 9)))
	f.Add(reviewJSON(createReq("watching", "api", 3)))
	f.Add(reviewJSON(createReq("demo", "newsvc", 3)))
	upd := createReq("demo", "api", 2)
	upd.Operation, upd.OldObject = admissionv1.Update, runtime.RawExtension{Raw: deploymentJSON("demo", "api", 4)}
	f.Add(reviewJSON(upd))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","resource":{"group":"apps","resource":"deployments"},"operation":"CREATE","namespace":"demo","object":{"spec":{"template":{"spec":{"containers":[{"name":"app","resources":{"requests":{"cpu":"9"}}}]}}}}}}`))
	for _, kind := range []struct{ resource, object string }{{"statefulsets", dbStatefulSet}, {"daemonsets", agentDaemonSet}} {
		obj := strings.ReplaceAll(kind.object, "%NS%", "data")
		f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"k","resource":{"group":"apps","resource":"` +
			kind.resource + `"},"operation":"CREATE","namespace":"data","object":` + obj + `}}`))
	}
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"s","resource":{"group":"apps","resource":"statefulsets"},"subResource":"scale","operation":"UPDATE","namespace":"data","name":"db","object":{"spec":{"replicas":9}}}}`))
	// A namespace the fuzzer invents is never cached; do not wait for it.
	d, _ := newDecider(f, kindLookup(), func(o *Options) { o.NamespaceWait = time.Millisecond })
	f.Fuzz(func(t *testing.T, body []byte) {
		review, err := server.ParseReview(body)
		if err != nil {
			return
		}
		req := review.Request
		resp := d.Decide(t.Context(), req)
		if resp == nil || resp.UID != req.UID {
			t.Fatalf("no answer or wrong uid for %s", body)
		}
		if len(resp.Patch) == 0 {
			return
		}
		if !resp.Allowed {
			t.Fatalf("a denial carries a patch: %s", resp.Patch)
		}
		patch, err := jsonpatch.DecodePatch(resp.Patch)
		if err != nil {
			t.Fatalf("patch %s does not decode: %v", resp.Patch, err)
		}
		patched, err := patch.Apply(req.Object.Raw)
		if err != nil {
			t.Fatalf("patch %s does not apply to %s: %v", resp.Patch, req.Object.Raw, err)
		}
		again := *req
		again.Object = runtime.RawExtension{Raw: patched}
		if again.Operation == admissionv1.Create {
			// The patched object arriving again is a no-op update of itself.
			again.Operation, again.OldObject = admissionv1.Update, runtime.RawExtension{Raw: patched}
			again.SubResource = ""
			if req.SubResource != "" {
				return
			}
		}
		if req.Operation == admissionv1.Update && req.SubResource == "" {
			// Re-sent as the same change: old unchanged, new = patched.
			again.Operation, again.OldObject = admissionv1.Update, req.OldObject
		}
		second := d.Decide(t.Context(), &again)
		if len(second.Patch) != 0 {
			t.Fatalf("patched object %s got another patch %s (first %s)", patched, second.Patch, resp.Patch)
		}
	})
}

func runtimeTypeMeta() metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"}
}
