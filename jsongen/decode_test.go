package jsongen

import "testing"

// The integer limits of every width; the generated decoders' own tests
// (libcontainer/config) compare whole documents with encoding/json.
func TestIntegerLimits(t *testing.T) {
	var i8 int8
	var u8 uint8
	var i16 int16
	var u16 uint16
	var i64 int64
	var u64 uint64
	for _, c := range []struct {
		in   string
		dec  func(*Decoder) bool
		ok   bool
		want func() bool
	}{
		{"127", func(d *Decoder) bool { return Int(d, &i8) }, true, func() bool { return i8 == 127 }},
		{"-128", func(d *Decoder) bool { return Int(d, &i8) }, true, func() bool { return i8 == -128 }},
		{"128", func(d *Decoder) bool { return Int(d, &i8) }, false, nil},
		{"-129", func(d *Decoder) bool { return Int(d, &i8) }, false, nil},
		{"255", func(d *Decoder) bool { return Uint(d, &u8) }, true, func() bool { return u8 == 255 }},
		{"256", func(d *Decoder) bool { return Uint(d, &u8) }, false, nil},
		{"-32768", func(d *Decoder) bool { return Int(d, &i16) }, true, func() bool { return i16 == -32768 }},
		{"65535", func(d *Decoder) bool { return Uint(d, &u16) }, true, func() bool { return u16 == 65535 }},
		{"-9223372036854775808", func(d *Decoder) bool { return Int(d, &i64) }, true, func() bool { return i64 == -1<<63 }},
		{"9223372036854775808", func(d *Decoder) bool { return Int(d, &i64) }, false, nil},
		{"18446744073709551615", func(d *Decoder) bool { return Uint(d, &u64) }, true, func() bool { return u64 == 1<<64-1 }},
		{"18446744073709551616", func(d *Decoder) bool { return Uint(d, &u64) }, false, nil},
		{"-", func(d *Decoder) bool { return Int(d, &i64) }, false, nil},
		{"7 ", func(d *Decoder) bool { return Uint(d, &u8) }, true, func() bool { return u8 == 7 }},
	} {
		d := NewDecoder([]byte(c.in))
		ok := c.dec(d) && d.End()
		if ok != c.ok || ok && !c.want() {
			t.Errorf("%q: ok %v, want %v (i8 %d u8 %d i16 %d u16 %d i64 %d u64 %d)", c.in, ok, c.ok, i8, u8, i16, u16, i64, u64)
		}
	}
}
