// Package faultsuite finds the fault suite (docs/reliability.md): the Test functions of the files
// named fault*_test.go, by package directory, so that `go tool mage fault` can run them alone.
// The package tests (`go tool mage goTest`, CI) run them as well; nothing is skipped there.
package faultsuite

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Package is one package directory's fault tests.
type Package struct {
	Dir   string   // relative to the root, slash-separated
	Tests []string // sorted
}

// RunPattern is the `go test -run` pattern that selects exactly p's tests.
func (p Package) RunPattern() string {
	quoted := make([]string, len(p.Tests))
	for i, t := range p.Tests {
		quoted[i] = regexp.QuoteMeta(t)
	}
	return "^(" + strings.Join(quoted, "|") + ")$"
}

// fileName is what a fault suite file is called.
func fileName(name string) bool {
	return strings.HasPrefix(name, "fault") && strings.HasSuffix(name, "_test.go")
}

// skipped are directories that hold no code of this module's (npm packages ship Go files too).
var skipped = map[string]bool{".git": true, "node_modules": true, "dist": true, "testdata": true}

// Find lists the fault tests under root, by directory in path order.
func Find(root string) ([]Package, error) {
	byDir := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (skipped[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !fileName(d.Name()) {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return fmt.Errorf("fault suite file %s: %w", path, err)
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		byDir[filepath.ToSlash(rel)] = append(byDir[filepath.ToSlash(rel)], tests(f)...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Package, 0, len(byDir))
	for dir, names := range byDir {
		if len(names) == 0 {
			continue
		}
		sort.Strings(names)
		out = append(out, Package{Dir: dir, Tests: names})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dir < out[j].Dir })
	return out, nil
}

// tests are f's top-level func TestXxx(t *testing.T).
func tests(f *ast.File) []string {
	var out []string
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Test") || fn.Name.Name == "TestMain" {
			continue
		}
		if params := fn.Type.Params.List; len(params) != 1 || !isTestingT(params[0].Type) {
			continue
		}
		out = append(out, fn.Name.Name)
	}
	return out
}

func isTestingT(e ast.Expr) bool {
	star, ok := e.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "testing" && sel.Sel.Name == "T"
}
