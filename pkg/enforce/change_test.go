package enforce

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/strategicpatch"

	"github.com/kubedoor/kubedoor-grafana/api/v1alpha1"
)

// FuzzChange checks, for any label and annotation found on a namespace and any requested
// change, that validation accepts exactly the documented values and that the merge patch, as
// the apiserver applies it, leaves the namespace in the requested state, touching no other key.
func FuzzChange(f *testing.F) {
	f.Add("", "", "enforce", true, "warn")
	f.Add("observe", "allow", "", false, "")
	f.Add("Enforce", "ask", "observe", true, "")
	f.Add("enforce", "deny", "enforce", true, "deny")
	f.Fuzz(func(t *testing.T, rawControl, rawUnknown, control string, setUnknown bool, unknown string) {
		for _, s := range []string{rawControl, rawUnknown, control, unknown} {
			if !utf8.ValidString(s) {
				return // JSON (and so the apiserver) carries only UTF-8 text
			}
		}
		labels := map[string]string{"team": "x"}
		annotations := map[string]string{"owner": "y"}
		if rawControl != "" {
			labels[v1alpha1.LabelControl] = rawControl
		}
		if rawUnknown != "" {
			annotations[v1alpha1.AnnotationUnknownWorkloads] = rawUnknown
		}
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "n", Labels: labels, Annotations: annotations}}
		sw := &Switch{protected: map[string]string{}}
		ch := Change{Control: control}
		if setUnknown {
			ch.UnknownWorkloads = &unknown
		}

		err := ch.validate()
		valid := (control == "" || control == "enforce" || control == "observe") &&
			(!setUnknown || unknown == "" || unknown == "deny" || unknown == "warn" || unknown == "allow")
		if (err == nil) != valid {
			t.Fatalf("validate(%+v) = %v, want valid=%v", ch, err, valid)
		}
		if err != nil {
			return
		}
		cur := sw.describe(ns)
		patch, changed := ch.patch(cur)
		after := ns
		if changed {
			orig, _ := json.Marshal(ns)
			body, _ := json.Marshal(patch)
			merged, err := strategicpatch.StrategicMergePatch(orig, body, corev1.Namespace{})
			if err != nil {
				t.Fatalf("patch %s does not apply: %v", body, err)
			}
			after = &corev1.Namespace{}
			if err := json.Unmarshal(merged, after); err != nil {
				t.Fatal(err)
			}
		}
		got := sw.describe(after)
		if got.Control != control {
			t.Fatalf("control %q after %+v from %q", got.Control, ch, rawControl)
		}
		wantUnknown := rawUnknown
		if setUnknown {
			wantUnknown = unknown
		}
		if got.rawUnknown != wantUnknown {
			t.Fatalf("annotation %q after %+v from %q", got.rawUnknown, ch, rawUnknown)
		}
		if after.Labels["team"] != "x" || after.Annotations["owner"] != "y" {
			t.Fatalf("other keys touched: %v %v", after.Labels, after.Annotations)
		}
		if !changed && (rawControl != control || (setUnknown && rawUnknown != unknown)) {
			t.Fatal("a change was needed but no patch was made")
		}
	})
}
