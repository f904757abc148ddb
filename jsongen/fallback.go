package jsongen

import "encoding/json"

// Decode fills *v from data through fast, a generated decoder, and where
// that gives up through slow into a fresh value: encoding/json (Unmarshal
// here) or a wrapper of it that words its errors.
func Decode[T any](data []byte, v *T, fast func([]byte, *T) bool, slow func([]byte, *T) error) error {
	if fast(data, v) {
		return nil
	}
	var zero T
	*v = zero // what fast filled before it gave up
	return slow(data, v)
}

// Unmarshal is encoding/json's, typed for Decode.
func Unmarshal[T any](data []byte, v *T) error { return json.Unmarshal(data, v) }

// Encode is what fast, a generated encoder, writes, or json.Marshal's
// output where fast fails.
func Encode[T any](v *T, fast func(*T) []byte) ([]byte, error) {
	if b := fast(v); b != nil {
		return b, nil
	}
	return json.Marshal(v)
}
