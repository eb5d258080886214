// Package kubedoor embeds the Helm chart beside this file and renders it with the Helm SDK, the
// way `helm template` does, so `kubedoor-manifests` and `helm install` produce the same
// objects from one source.
package kubedoor

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	release "helm.sh/helm/v4/pkg/release/v1"
)

// files is the chart. Listed by name: the Go file and its tests are not part of it.
//
//go:embed Chart.yaml values.yaml values.schema.json all:templates files
var files embed.FS

// ReleaseName is the release name `manifests` renders with; object names do not depend on it.
const ReleaseName = "kubedoor"

// Load returns the embedded chart.
func Load() (*chart.Chart, error) {
	var bufs []*archive.BufferedFile
	err := fs.WalkDir(files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		bufs = append(bufs, &archive.BufferedFile{Name: path, Data: b})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the embedded chart: %w", err)
	}
	return loader.LoadFiles(bufs)
}

// Render is `helm template <ReleaseName> <chart> --namespace <namespace>` with values: the
// release's manifest (templates only; the chart has no crds/ dir and no hooks), validated
// against values.schema.json. Every call generates fresh TLS material (unless cert-manager).
func Render(namespace string, values map[string]any) (string, error) {
	ch, err := Load()
	if err != nil {
		return "", err
	}
	install := action.NewInstall(action.NewConfiguration())
	install.DryRunStrategy = action.DryRunClient // no cluster: `helm template`
	install.ReleaseName = ReleaseName
	install.Namespace = namespace
	install.Replace = true // skip the release-name check, as `helm template` does
	rel, err := install.Run(ch, values)
	if err != nil {
		return "", fmt.Errorf("rendering the chart: %w", err)
	}
	r, ok := rel.(*release.Release)
	if !ok {
		return "", fmt.Errorf("rendering the chart: unexpected release type %T", rel)
	}
	return strings.TrimSpace(r.Manifest) + "\n", nil
}
