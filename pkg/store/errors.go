package store

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"

	chproto "github.com/ClickHouse/clickhouse-go/v2/lib/proto"
)

// ClickHouse error codes the product branches on (src/Common/ErrorCodes.cpp).
const (
	CodeTableAlreadyExists = 57
	CodeUnknownTable       = 60
	CodeSyntaxError        = 62
	CodeUnknownDatabase    = 81
	CodeTimeoutExceeded    = 159
	CodeQueryWasCancelled  = 394
	CodeUnknownParameter   = 456
	CodeBadQueryParameter  = 457
	CodeAccessDenied       = 497
)

// Error is an error the ClickHouse engine reported for a statement, in either mode.
type Error struct {
	Code    int32  // ClickHouse error code; 0 when the text carried none
	Name    string // symbolic name such as "UNKNOWN_TABLE", when known
	Message string // the engine's message without the code/name decoration
	Query   string // first line of the statement, shortened, for context in logs
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("clickhouse")
	if e.Code != 0 {
		b.WriteString(" code ")
		b.WriteString(strconv.Itoa(int(e.Code)))
	}
	if e.Name != "" {
		b.WriteString(" (" + e.Name + ")")
	}
	if e.Query != "" {
		b.WriteString(" in " + strconv.Quote(e.Query))
	}
	b.WriteString(": ")
	b.WriteString(e.Message)
	return b.String()
}

// ErrorCode returns the ClickHouse error code carried by err, or 0.
func ErrorCode(err error) int32 {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

// Failed reports whether err is the store's own failure — the engine refused a statement (a
// read-only data directory, a full disk, a server-side error) or could not be reached — as
// opposed to bad input or a caller's bug. The API answers these 503 without the engine's text.
func Failed(err error) bool {
	var e *Error
	var ne net.Error
	return errors.As(err, &e) || errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED)
}

// IsCode reports whether err carries the ClickHouse error code.
func IsCode(err error, code int32) bool { return code != 0 && ErrorCode(err) == code }

// ParseErrorText splits the engine's error text, e.g.
//
//	Code: 60. DB::Exception: Unknown table expression identifier 'nope'. (UNKNOWN_TABLE) (version 26.5.1.1)
//
// into code, symbolic name and message. Text in another shape becomes the message as is.
func ParseErrorText(text string) (code int32, name, message string) {
	s := strings.TrimSpace(text)
	if rest, ok := strings.CutPrefix(s, "Code: "); ok {
		digits := 0
		for digits < len(rest) && digits < 10 && rest[digits] >= '0' && rest[digits] <= '9' {
			digits++
		}
		if n, err := strconv.ParseInt(rest[:digits], 10, 32); err == nil && digits > 0 {
			code = int32(n)
			s = strings.TrimLeft(strings.TrimPrefix(rest[digits:], "."), " ")
		}
	}
	s = strings.TrimPrefix(s, "DB::Exception: ")
	// The engine may append a stack trace; the first line is the message.
	s, _, _ = strings.Cut(s, "\nStack trace")
	s = strings.TrimSpace(s)
	s = trimSuffixParen(s, "(version ")
	if i := strings.LastIndex(s, " ("); i >= 0 && strings.HasSuffix(s, ")") && isErrorName(s[i+2:len(s)-1]) {
		name, s = s[i+2:len(s)-1], strings.TrimSpace(s[:i])
	}
	return code, name, strings.TrimSuffix(s, ".")
}

// trimSuffixParen drops a trailing " (<prefix>…)" group, such as the engine version.
func trimSuffixParen(s, prefix string) string {
	if i := strings.LastIndex(s, " "+prefix); i >= 0 && strings.HasSuffix(s, ")") {
		return strings.TrimSpace(s[:i])
	}
	return s
}

func isErrorName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// queryContext shortens a statement to its first line for error messages.
func queryContext(query string) string {
	q := strings.TrimSpace(query)
	q, _, _ = strings.Cut(q, "\n")
	const max = 120
	if len(q) > max {
		cut := max
		for cut > 0 && q[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
			cut--
		}
		q = q[:cut] + "…"
	}
	return q
}

// engineError turns the embedded engine's error text into an *Error.
func engineError(text, query string) error {
	code, name, msg := ParseErrorText(text)
	return &Error{Code: code, Name: name, Message: msg, Query: queryContext(query)}
}

// serverError turns a clickhouse-go error into an *Error when the server sent an exception;
// other errors (network, driver) are wrapped with the statement for context.
func serverError(err error, query string) error {
	if err == nil {
		return nil
	}
	var ex *chproto.Exception
	if errors.As(err, &ex) {
		_, name, msg := ParseErrorText(ex.Message)
		if name == "" {
			name = ex.CodeName
		}
		return &Error{Code: ex.Code, Name: name, Message: msg, Query: queryContext(query)}
	}
	return fmt.Errorf("clickhouse %q: %w", queryContext(query), err)
}
