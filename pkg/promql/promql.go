// Package promql builds the collector's PromQL from small pure functions, so every query can be
// read and tested as text. Values never enter a query unescaped: label values are written as
// PromQL string literals (Go's quoting, which PromQL's lexer reads back) and regex alternations
// from literal values are escaped with regexp.QuoteMeta.
package promql

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Matcher is one label matcher: Op is "=", "!=", "=~" or "!~".
type Matcher struct {
	Name, Op, Value string
}

// Eq, Ne and Re build matchers.
func Eq(name, value string) Matcher { return Matcher{name, "=", value} }
func Ne(name, value string) Matcher { return Matcher{name, "!=", value} }
func Re(name, value string) Matcher { return Matcher{name, "=~", value} }

var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// ValidLabelName reports whether s may be used as a label name.
func ValidLabelName(s string) bool { return labelName.MatchString(s) }

// Quote writes s as a PromQL string literal.
func Quote(s string) string { return strconv.Quote(s) }

// Selector writes metric{m1,m2,...}. Matchers with an invalid label name are a programming
// error (names come from code or validated settings) and panic.
func Selector(metric string, ms ...Matcher) string {
	var b strings.Builder
	b.WriteString(metric)
	b.WriteByte('{')
	for i, m := range ms {
		if !ValidLabelName(m.Name) {
			panic(fmt.Sprintf("promql: invalid label name %q", m.Name))
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(m.Name)
		b.WriteString(m.Op)
		b.WriteString(Quote(m.Value))
	}
	b.WriteByte('}')
	return b.String()
}

// Alternation is a regex matching exactly the given literal values (anchored by PromQL).
func Alternation(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = regexp.QuoteMeta(v)
	}
	return strings.Join(q, "|")
}

// Duration writes d as whole seconds ("5400s"), which every Prometheus-compatible parser reads.
// Sub-second parts are rounded up: a window must never be shortened.
func Duration(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(s, 1), 10) + "s"
}

// By wraps expr in an aggregation "agg by (labels) (expr)".
func By(agg string, labels []string, expr string) string {
	return agg + " by (" + strings.Join(labels, ", ") + ") (" + expr + ")"
}

// Tag adds the label kd_value=name to every series of expr, so several results can travel in
// one query joined with "or" and be told apart.
func Tag(expr, name string) string {
	return "label_replace(" + expr + ", " + Quote(TagLabel) + ", " + Quote(name) + `, "", "")`
}

// TagLabel is the label Tag sets.
const TagLabel = "kd_value"

// Or joins tagged expressions.
func Or(exprs ...string) string { return strings.Join(exprs, "\nor ") }
