package jsongen

import (
	"sort"
	"strconv"
	"unicode/utf8"
)

// Encoder appends JSON as encoding/json's Marshal writes it, byte for byte
// (its tests compare the two): keys in field order, map keys sorted,
// strings escaped for HTML. A failure (a type's own MarshalJSON failing, a
// string of invalid UTF-8) makes Bytes return nil: the caller then uses
// encoding/json.
type Encoder struct {
	buf    []byte
	failed bool
}

// Bytes returns the document, or nil after a failure.
func (e *Encoder) Bytes() []byte {
	if e.failed {
		return nil
	}
	return e.buf
}

// Fail marks the document as failed.
func (e *Encoder) Fail() { e.failed = true }

// Raw appends s as it is (punctuation and keys the generator escaped).
func (e *Encoder) Raw(s string) { e.buf = append(e.buf, s...) }

// Byte appends c.
func (e *Encoder) Byte(c byte) { e.buf = append(e.buf, c) }

// Marshaled appends the output of a type's own MarshalJSON.
func (e *Encoder) Marshaled(b []byte, err error) {
	if err != nil || !validCompact(b) {
		e.failed = true
		return
	}
	e.buf = append(e.buf, b...)
}

// Text appends the output of a type's own MarshalText, as a string.
func (e *Encoder) Text(b []byte, err error) {
	if err != nil {
		e.failed = true
		return
	}
	PutString(e, string(b))
}

// validCompact reports whether b is one JSON value without white space
// outside strings and with nothing encoding/json escapes for HTML, so that appending it as it is equals what encoding/json
// writes (it compacts and checks a MarshalJSON's output).
func validCompact(b []byte) bool {
	d := NewDecoder(b)
	if !d.skip(0) || !d.End() {
		return false
	}
	inStr := false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case !inStr && (c == ' ' || c == '\t' || c == '\n' || c == '\r'):
			return false
		case c == '<' || c == '>' || c == '&' || c >= 0x80: // encoding/json would escape these
			return false
		}
	}
	return true
}

// PutBool appends true or false.
func PutBool[T ~bool](e *Encoder, v T) {
	if v {
		e.buf = append(e.buf, "true"...)
	} else {
		e.buf = append(e.buf, "false"...)
	}
}

// PutInt appends v.
func PutInt[T ~int | ~int8 | ~int16 | ~int32 | ~int64](e *Encoder, v T) {
	e.buf = strconv.AppendInt(e.buf, int64(v), 10)
}

// PutUint appends v.
func PutUint[T ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64](e *Encoder, v T) {
	e.buf = strconv.AppendUint(e.buf, uint64(v), 10)
}

// SortedKeys returns m's keys in the order encoding/json writes them.
func SortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	return keys
}

const hexDigits = "0123456789abcdef"

// PutString appends v quoted as encoding/json quotes it: <, > and & as
// \u escapes, U+2028 and U+2029 escaped. Invalid UTF-8 fails.
func PutString[T ~string](e *Encoder, v T) {
	s := string(v)
	buf := append(e.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch b {
			case '\\', '"':
				buf = append(buf, '\\', b)
			case '\b':
				buf = append(buf, '\\', 'b')
			case '\f':
				buf = append(buf, '\\', 'f')
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			// Classic encoding/json writes \ufffd, the one on json/v2
			// (GOEXPERIMENT=jsonv2) the character itself: leave it to
			// whichever rt was built with.
			e.failed = true
			return
		}
		if c == '\u2028' || c == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hexDigits[c&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	e.buf = append(buf, '"')
}
