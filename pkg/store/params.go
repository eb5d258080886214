package store

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Param is a value for a `{name:Type}` placeholder. The engine binds it server-side in both
// modes (parsed by the placeholder's type); it is never spliced into the SQL text.
type Param struct {
	Name  string
	Value any
}

// P makes a Param. Supported values: string, bool, all int/uint/float kinds, time.Time, Date,
// fmt.Stringer (e.g. a UUID), slices of those (for Array(T)), nil or a nil pointer (NULL for
// Nullable(T)), and pointers to supported values.
func P(name string, value any) Param { return Param{Name: name, Value: value} }

// Date is a calendar day for a Date placeholder, taken in the time's own location.
type Date time.Time

// DateOf is a convenience for Date(t).
func DateOf(t time.Time) Date { return Date(t) }

// Placeholders maps each `{name:Type}` placeholder in query to its declared type. It is a light
// scan used to format time values for their placeholder; ClickHouse itself does the binding.
func Placeholders(query string) map[string]string {
	out := map[string]string{}
	for i := 0; i < len(query); i++ {
		if query[i] != '{' {
			continue
		}
		end := strings.IndexByte(query[i+1:], '}')
		if end < 0 {
			break
		}
		body := query[i+1 : i+1+end]
		name, typ, ok := strings.Cut(body, ":")
		name, typ = strings.TrimSpace(name), strings.TrimSpace(typ)
		if ok && isIdent(name) && typ != "" && !strings.ContainsAny(typ, "{\n") {
			out[name] = typ
		}
	}
	return out
}

// formatParams renders params as the text the engine parses for each placeholder type.
func formatParams(query string, params []Param) (names, values []string, err error) {
	if len(params) == 0 {
		return nil, nil, nil
	}
	types := Placeholders(query)
	names = make([]string, len(params))
	values = make([]string, len(params))
	for i, p := range params {
		if !isIdent(p.Name) {
			return nil, nil, fmt.Errorf("parameter name %q is not an identifier", p.Name)
		}
		typ, ok := types[p.Name]
		if !ok {
			return nil, nil, fmt.Errorf("parameter %q has no {%s:Type} placeholder in the query", p.Name, p.Name)
		}
		v, err := FormatParam(p.Value, typ)
		if err != nil {
			return nil, nil, fmt.Errorf("parameter %q: %w", p.Name, err)
		}
		names[i], values[i] = p.Name, v
	}
	return names, values, nil
}

// FormatParam renders v as parameter text for a placeholder of ClickHouse type typ (may be "").
// The text is in the engine's escaped text format, which both libchdb and the server (through
// clickhouse-go's quoting) parse by the placeholder's type.
func FormatParam(v any, typ string) (string, error) {
	base := unwrapType(typ)
	if isNil(v) {
		return `\N`, nil
	}
	if rv := reflect.ValueOf(v); (rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array) && rv.Type().Elem().Kind() != reflect.Uint8 {
		return arrayText(rv, base)
	}
	text, isText, err := scalarText(v, base)
	if err != nil {
		return "", err
	}
	if isText {
		return escapeText(text), nil
	}
	return text, nil
}

// arrayText renders an Array(T) value: elements in quoted-literal form, as ClickHouse writes them.
func arrayText(rv reflect.Value, typ string) (string, error) {
	elemType := ""
	if inner, ok := strings.CutPrefix(typ, "Array("); ok && strings.HasSuffix(inner, ")") {
		elemType = unwrapType(strings.TrimSuffix(inner, ")"))
	}
	var b strings.Builder
	b.WriteByte('[')
	for i := 0; i < rv.Len(); i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		e := rv.Index(i).Interface()
		if isNil(e) {
			b.WriteString("NULL")
			continue
		}
		if ev := reflect.ValueOf(e); (ev.Kind() == reflect.Slice || ev.Kind() == reflect.Array) && ev.Type().Elem().Kind() != reflect.Uint8 {
			s, err := arrayText(ev, elemType)
			if err != nil {
				return "", fmt.Errorf("element %d: %w", i, err)
			}
			b.WriteString(s)
			continue
		}
		text, isText, err := scalarText(e, elemType)
		if err != nil {
			return "", fmt.Errorf("element %d: %w", i, err)
		}
		if isText {
			text = quoteLiteral(text)
		}
		b.WriteString(text)
	}
	b.WriteByte(']')
	return b.String(), nil
}

// scalarText renders one non-nil value; isText says whether it is text that needs escaping
// (or quoting inside an array) rather than a bare number.
func scalarText(v any, typ string) (text string, isText bool, err error) {
	switch x := v.(type) {
	case string:
		return x, true, nil
	case bool:
		if x {
			return "1", false, nil
		}
		return "0", false, nil
	case time.Time:
		return formatTime(x, typ)
	case Date:
		return time.Time(x).Format(time.DateOnly), true, nil
	case float32:
		return formatFloat(float64(x), 32), false, nil
	case float64:
		return formatFloat(x, 64), false, nil
	case fmt.Stringer:
		return x.String(), true, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), false, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10), false, nil
	case reflect.Float32, reflect.Float64:
		return formatFloat(rv.Float(), 64), false, nil
	case reflect.Bool:
		return scalarText(rv.Bool(), typ)
	case reflect.String:
		return rv.String(), true, nil
	case reflect.Pointer:
		return scalarText(rv.Elem().Interface(), typ)
	}
	return "", false, fmt.Errorf("unsupported parameter type %T", v)
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// unwrapType strips Nullable(…) and LowCardinality(…) so formatting sees the value type.
func unwrapType(typ string) string {
	t := strings.TrimSpace(typ)
	for {
		inner, ok := strings.CutPrefix(t, "Nullable(")
		if !ok {
			inner, ok = strings.CutPrefix(t, "LowCardinality(")
		}
		if !ok || !strings.HasSuffix(inner, ")") {
			return t
		}
		t = strings.TrimSpace(strings.TrimSuffix(inner, ")"))
	}
}

// formatTime renders t for a Date, DateTime or DateTime64(p) placeholder. Instants travel as
// Unix time, so the result does not depend on the engine's or the session's time zone; a day
// is taken in t's own location.
func formatTime(t time.Time, typ string) (string, bool, error) {
	switch {
	case typ == "Date" || typ == "Date32":
		return t.Format(time.DateOnly), true, nil
	case strings.HasPrefix(typ, "DateTime64"):
		prec := 3
		if args, ok := strings.CutPrefix(typ, "DateTime64("); ok {
			p, _, _ := strings.Cut(strings.TrimSuffix(args, ")"), ",")
			if n, err := strconv.Atoi(strings.TrimSpace(p)); err == nil && n >= 0 && n <= 9 {
				prec = n
			}
		}
		return unixText(t, prec), false, nil
	case strings.HasPrefix(typ, "DateTime"):
		// DateTime holds whole seconds and rejects a fraction: truncate rather than fail.
		return unixText(t, 0), false, nil
	default:
		return unixText(t, 9), false, nil
	}
}

// unixText is t as Unix seconds with at most prec fractional digits (truncated, not rounded,
// like a DateTime64 column stores it).
func unixText(t time.Time, prec int) string {
	sec, nsec := t.Unix(), int64(t.Nanosecond()) // sec is the floor, nsec in [0, 1e9)
	scale := int64(math.Pow10(9 - prec))
	nsec = nsec / scale * scale
	if nsec == 0 {
		return strconv.FormatInt(sec, 10)
	}
	sign := ""
	if sec < 0 { // -2 s + 0.5 s is written -1.5
		sign, sec, nsec = "-", -(sec + 1), 1e9-nsec
	}
	frac := strings.TrimRight(fmt.Sprintf("%09d", nsec), "0")
	return sign + strconv.FormatInt(sec, 10) + "." + frac
}

func formatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

// escapeText escapes a string in ClickHouse's escaped (TSV) text format, the format the engine
// parses parameter values in: a raw tab or newline would end the value early.
func escapeText(s string) string {
	if !strings.ContainsAny(s, "\\\t\n\r\x00") {
		return s
	}
	return textEscaper.Replace(s)
}

var textEscaper = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`, "\x00", `\0`)

// quoteLiteral renders s as a quoted literal inside an Array value.
func quoteLiteral(s string) string {
	return "'" + literalEscaper.Replace(s) + "'"
}

var literalEscaper = strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\t", `\t`, "\n", `\n`, "\r", `\r`, "\x00", `\0`)
