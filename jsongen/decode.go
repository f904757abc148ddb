// Package jsongen is the runtime of rt's generated JSON decoders and
// encoders (see jsongen/gen): a scanner that accepts a strict, common
// subset of JSON and says "no" to everything else, so that its caller falls
// back to encoding/json, which then decides (and words any error); an
// encoder that writes what encoding/json writes. Decode and Encode put the
// generated code first and encoding/json behind it.
//
// Why: encoding/json builds a decoder for every type it meets by reflection,
// once per process. For config.json's types that costs ~1.1 ms of an
// `rt run` of ~20 ms (measured: first Unmarshal 1.1-1.6 ms, the second one
// in the same process 20 us); rt is a new process each time.
//
// The subset, so that whatever is accepted decodes exactly as encoding/json
// decodes it:
//   - object keys must be a field's exact name, once per object: an unknown
//     key (possibly a case variant, which encoding/json would match), a
//     duplicate, or an escape in a key gives up;
//   - strings must be valid UTF-8 without control characters; the escapes
//     are decoded, a lone surrogate gives up (encoding/json would substitute
//     U+FFFD);
//   - integers are plain (-?digits) and must fit the field; a fraction, an
//     exponent or an overflow gives up (encoding/json reports an error);
//   - null leaves a value as it is and sets a pointer, slice or map to nil;
//     an empty array gives an empty, non-nil slice; as encoding/json does.
package jsongen

import "unicode/utf8"

// Decoder reads one JSON document. A method that returns false has given
// up; the document must then be decoded by encoding/json, into a fresh
// value (the generated code fills the value as it goes).
type Decoder struct {
	data []byte
	i    int
	bad  bool // gave up inside a loop (Next returned false for that)
}

// NewDecoder reads data.
func NewDecoder(data []byte) *Decoder { return &Decoder{data: data} }

// End reports whether only white space is left and nothing gave up.
func (d *Decoder) End() bool {
	d.ws()
	return !d.bad && d.i == len(d.data)
}

// Bad reports whether a loop ended because the decoder gave up.
func (d *Decoder) Bad() bool { return d.bad }

func (d *Decoder) fail() bool {
	d.bad = true
	return false
}

func (d *Decoder) ws() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// literal consumes word if it comes next.
func (d *Decoder) literal(word string) bool {
	if len(d.data)-d.i >= len(word) && string(d.data[d.i:d.i+len(word)]) == word {
		d.i += len(word)
		return true
	}
	return false
}

// Null consumes a null if one comes next.
func (d *Decoder) Null() bool {
	d.ws()
	return d.literal("null")
}

// Open consumes c ('{' or '[').
func (d *Decoder) Open(c byte) bool {
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == c {
		d.i++
		return true
	}
	return d.fail()
}

// Next moves to the next member of an object or element of an array whose
// opening bracket has been consumed: true if there is one, false at the
// closing bracket (consumed) or when giving up (then Bad is true). first
// must start true.
func (d *Decoder) Next(closing byte, first *bool) bool {
	d.ws()
	if d.i >= len(d.data) {
		return d.fail()
	}
	if d.data[d.i] == closing {
		d.i++
		return false
	}
	if *first {
		*first = false
		return true
	}
	if d.data[d.i] != ',' {
		return d.fail()
	}
	d.i++
	return true
}

// Key reads an object key that a struct field may have (plain ASCII, no
// escape) and the colon after it. The result aliases the input.
func (d *Decoder) Key() ([]byte, bool) {
	d.ws()
	if d.i >= len(d.data) || d.data[d.i] != '"' {
		return nil, d.fail()
	}
	start := d.i + 1
	for j := start; j < len(d.data); j++ {
		c := d.data[j]
		if c == '"' {
			d.i = j + 1
			if !d.colon() {
				return nil, false
			}
			return d.data[start:j], true
		}
		if c < 0x20 || c == '\\' || c >= 0x80 {
			return nil, d.fail()
		}
	}
	return nil, d.fail()
}

// MapKey reads any string key and the colon after it.
func (d *Decoder) MapKey() (string, bool) {
	var k string
	d.ws()
	if d.i >= len(d.data) || d.data[d.i] != '"' {
		return "", d.fail()
	}
	if !d.str(&k) || !d.colon() {
		return "", false
	}
	return k, true
}

func (d *Decoder) colon() bool {
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == ':' {
		d.i++
		return true
	}
	return d.fail()
}

// Once marks field bit in seen; false if it was already there (a duplicate
// key: encoding/json would merge the two values).
func (d *Decoder) Once(seen *uint64, bit uint) bool {
	if *seen&(1<<bit) != 0 {
		return d.fail()
	}
	*seen |= 1 << bit
	return true
}

// GiveUp is for a key whose value this decoder does not handle.
func (d *Decoder) GiveUp() bool { return d.fail() }

// str reads a string token (the quote next) into *p.
func (d *Decoder) str(p *string) bool {
	d.i++ // the opening quote
	start, ascii := d.i, true
	for j := start; j < len(d.data); j++ {
		c := d.data[j]
		switch {
		case c == '"':
			s := d.data[start:j]
			if !ascii && !utf8.Valid(s) {
				return d.fail()
			}
			*p = string(s)
			d.i = j + 1
			return true
		case c == '\\':
			return d.escaped(p, start)
		case c < 0x20:
			return d.fail()
		case c >= 0x80:
			ascii = false
		}
	}
	return d.fail()
}

// escaped decodes a string from start (past the quote) that has escapes.
func (d *Decoder) escaped(p *string, start int) bool {
	buf := make([]byte, 0, 64)
	j := start
	for j < len(d.data) {
		c := d.data[j]
		switch {
		case c == '"':
			if !utf8.Valid(buf) {
				return d.fail()
			}
			*p = string(buf)
			d.i = j + 1
			return true
		case c < 0x20:
			return d.fail()
		case c != '\\':
			buf = append(buf, c)
			j++
			continue
		}
		if j+1 >= len(d.data) {
			return d.fail()
		}
		switch e := d.data[j+1]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := d.hex4(j + 2)
			if !ok {
				return d.fail()
			}
			j += 6
			if 0xd800 <= r && r < 0xdc00 { // a high surrogate: its low half must follow
				if j+1 >= len(d.data) || d.data[j] != '\\' || d.data[j+1] != 'u' {
					return d.fail()
				}
				lo, ok := d.hex4(j + 2)
				if !ok || lo < 0xdc00 || lo >= 0xe000 {
					return d.fail()
				}
				r = 0x10000 + (r-0xd800)<<10 + (lo - 0xdc00)
				j += 6
			} else if 0xdc00 <= r && r < 0xe000 {
				return d.fail()
			}
			buf = utf8.AppendRune(buf, r)
			continue
		default:
			return d.fail()
		}
		j += 2
	}
	return d.fail()
}

func (d *Decoder) hex4(at int) (rune, bool) {
	if at+4 > len(d.data) {
		return 0, false
	}
	var r rune
	for _, c := range d.data[at : at+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// String reads a string, or null (no change), into *p.
func String[T ~string](d *Decoder, p *T) bool {
	if d.Null() {
		return true
	}
	if d.i >= len(d.data) || d.data[d.i] != '"' {
		return d.fail()
	}
	var s string
	if !d.str(&s) {
		return false
	}
	*p = T(s)
	return true
}

// Bool reads true, false, or null (no change) into *p.
func Bool[T ~bool](d *Decoder, p *T) bool {
	d.ws()
	switch {
	case d.literal("null"):
	case d.literal("true"):
		*p = true
	case d.literal("false"):
		*p = false
	default:
		return d.fail()
	}
	return true
}

// digits reads a plain integer: its sign and magnitude. What follows must
// not continue a number (a fraction or an exponent gives up).
func (d *Decoder) digits() (neg bool, mag uint64, ok bool) {
	d.ws()
	if d.i < len(d.data) && d.data[d.i] == '-' {
		neg = true
		d.i++
	}
	start := d.i
	for d.i < len(d.data) && '0' <= d.data[d.i] && d.data[d.i] <= '9' {
		c := uint64(d.data[d.i] - '0')
		if mag > (1<<64-1-c)/10 {
			return false, 0, d.fail()
		}
		mag = mag*10 + c
		d.i++
	}
	n := d.i - start
	if n == 0 || n > 1 && d.data[start] == '0' {
		return false, 0, d.fail()
	}
	if d.i < len(d.data) {
		switch d.data[d.i] {
		case '.', 'e', 'E':
			return false, 0, d.fail()
		}
	}
	return neg, mag, true
}

// Int reads an integer that fits T, or null (no change), into *p.
func Int[T ~int | ~int8 | ~int16 | ~int32 | ~int64](d *Decoder, p *T) bool {
	if d.Null() {
		return true
	}
	neg, mag, ok := d.digits()
	if !ok {
		return false
	}
	bits := sizeBits[T]()
	limit := uint64(1) << (bits - 1) // |min|; max is limit-1
	if neg && mag > limit || !neg && mag >= limit {
		return d.fail()
	}
	if neg {
		*p = T(-int64(mag))
	} else {
		*p = T(mag)
	}
	return true
}

// Uint reads a non-negative integer that fits T, or null (no change), into *p.
func Uint[T ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64](d *Decoder, p *T) bool {
	if d.Null() {
		return true
	}
	neg, mag, ok := d.digits()
	if !ok {
		return false
	}
	if neg { // "-0" too: keep it simple
		return d.fail()
	}
	if bits := sizeBits[T](); bits < 64 && mag >= uint64(1)<<bits {
		return d.fail()
	}
	*p = T(mag)
	return true
}

func sizeBits[T ~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64]() uint {
	var x T = 1
	bits := uint(0)
	for x != 0 {
		x <<= 1
		bits++
	}
	return bits
}

// maxRawDepth bounds the nesting Raw follows (encoding/json allows 10000;
// deeper input gives up here).
const maxRawDepth = 64

// Raw reads the next value whole, checking its syntax as encoding/json
// does, and returns its bytes (aliasing the input), for a type's own
// UnmarshalJSON.
func (d *Decoder) Raw() ([]byte, bool) {
	d.ws()
	start := d.i
	if !d.skip(0) {
		return nil, false
	}
	return d.data[start:d.i], true
}

func (d *Decoder) skip(depth int) bool {
	if depth > maxRawDepth {
		return d.fail()
	}
	d.ws()
	if d.i >= len(d.data) {
		return d.fail()
	}
	switch c := d.data[d.i]; {
	case c == '"':
		var s string
		return d.str(&s)
	case c == '{' || c == '[':
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		d.i++
		for first := true; d.Next(closing, &first); {
			if closing == '}' {
				if _, ok := d.MapKey(); !ok {
					return false
				}
			}
			if !d.skip(depth + 1) {
				return false
			}
		}
		return !d.bad
	case c == 't':
		return d.literal("true") || d.fail()
	case c == 'f':
		return d.literal("false") || d.fail()
	case c == 'n':
		return d.literal("null") || d.fail()
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	}
	return d.fail()
}

// number checks a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *Decoder) number() bool {
	digits := func() int {
		n := 0
		for d.i < len(d.data) && '0' <= d.data[d.i] && d.data[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.data[d.i] == '-' {
		d.i++
	}
	start := d.i
	if n := digits(); n == 0 || n > 1 && d.data[start] == '0' {
		return d.fail()
	}
	if d.i < len(d.data) && d.data[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return d.fail()
		}
	}
	if d.i < len(d.data) && (d.data[d.i] == 'e' || d.data[d.i] == 'E') {
		d.i++
		if d.i < len(d.data) && (d.data[d.i] == '+' || d.data[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return d.fail()
		}
	}
	return true
}
