package store

import (
	"fmt"
	"strings"
	"text/template"
)

// SchemaOptions are what a migration's SQL template may depend on.
type SchemaOptions struct {
	Database      string // unquoted; rendered quoted as {{.DB}}
	Cluster       string // "" = single node; else DDL gets ON CLUSTER and engines Replicated*
	ReplicaPath   string // ZooKeeper path of replicated tables (macros allowed)
	ReplicaName   string // replica name (macros allowed)
	RetentionDays int    // TTL of peak samples in days
}

// DefaultRetentionDays is how long peak samples are kept when nothing is configured.
const DefaultRetentionDays = 400

func (o SchemaOptions) withDefaults() (SchemaOptions, error) {
	if o.Database == "" {
		o.Database = defaultDatabase
	}
	if !isIdent(o.Database) {
		return o, fmt.Errorf("database %q must be a plain identifier", o.Database)
	}
	if o.Cluster != "" && !clusterRE.MatchString(o.Cluster) {
		return o, fmt.Errorf("cluster name %q has unexpected characters", o.Cluster)
	}
	if o.ReplicaPath == "" {
		o.ReplicaPath = defaultReplicaPath
	}
	if o.ReplicaName == "" {
		o.ReplicaName = defaultReplicaName
	}
	if o.RetentionDays == 0 {
		o.RetentionDays = DefaultRetentionDays
	}
	if o.RetentionDays < 1 || o.RetentionDays > 36500 {
		return o, fmt.Errorf("retention of %d days is out of range (1–36500)", o.RetentionDays)
	}
	return o, nil
}

// onCluster is the ON CLUSTER clause for DDL, or "" on a single node.
func onCluster(cluster string) string {
	if cluster == "" {
		return ""
	}
	return " ON CLUSTER " + quoteIdent(cluster)
}

// Engine renders a table engine: kind (e.g. "ReplacingMergeTree") with its arguments, or, on a
// cluster, the Replicated variant with the replica path and name first.
func (o SchemaOptions) Engine(kind string, args ...string) string {
	if o.Cluster != "" {
		kind = "Replicated" + kind
		args = append([]string{quoteLiteral(o.ReplicaPath), quoteLiteral(o.ReplicaName)}, args...)
	}
	return kind + "(" + strings.Join(args, ", ") + ")"
}

// renderData is the template's view of SchemaOptions.
type renderData struct {
	DB            string
	OnCluster     string
	RetentionDays int
}

// Render expands a migration template. Templates use {{.DB}}, {{.OnCluster}},
// {{.RetentionDays}} and {{engine "Kind" "arg"…}}; ClickHouse's own {name:Type} placeholders
// use single braces and pass through.
func Render(sqlTemplate string, opts SchemaOptions) (string, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return "", err
	}
	t, err := template.New("migration").Option("missingkey=error").
		Funcs(template.FuncMap{"engine": opts.Engine}).Parse(sqlTemplate)
	if err != nil {
		return "", fmt.Errorf("parsing migration template: %w", err)
	}
	var b strings.Builder
	err = t.Execute(&b, renderData{
		DB:            quoteIdent(opts.Database),
		OnCluster:     onCluster(opts.Cluster),
		RetentionDays: opts.RetentionDays,
	})
	if err != nil {
		return "", fmt.Errorf("rendering migration template: %w", err)
	}
	return b.String(), nil
}

// SplitStatements cuts SQL text into statements at semicolons outside quotes and comments,
// because the server protocol runs one statement per call. Statements that hold only
// whitespace and comments are dropped.
func SplitStatements(sql string) []string {
	var out []string
	start, meaningful := 0, false
	flush := func(end int) {
		if stmt := strings.TrimSpace(sql[start:end]); meaningful && stmt != "" {
			out = append(out, stmt)
		}
		start, meaningful = end+1, false
	}
	for i := 0; i < len(sql); i++ {
		switch c := sql[i]; {
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-', c == '#':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				i = len(sql)
			} else {
				i += end + 3
			}
		case c == '\'' || c == '"' || c == '`':
			meaningful = true
			for i++; i < len(sql) && sql[i] != c; i++ {
				if sql[i] == '\\' {
					i++ // an escaped character, possibly the quote itself
				}
			}
		case c == ';':
			flush(i)
		case !strings.ContainsRune(" \t\n\r\v\f", rune(c)):
			meaningful = true
		}
	}
	if start < len(sql) {
		flush(len(sql))
	}
	return out
}
