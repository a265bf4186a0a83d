package wire_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/wire"
)

// The seed corpora are in testdata/fuzz/<target>/: the forms seen in recorded traffic and
// vendor examples, and the malformed ones the unit tests reject.

// isNumber reports whether a JSON value that decoded is written as a number (not a string or
// null).
func isNumber(b []byte) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] != '"' && !bytes.Equal(b, []byte("null"))
}

// FuzzDecimal checks that decoding never panics, that a decoded amount re-encodes and decodes
// to the same text, and that a number and its string form decode alike.
func FuzzDecimal(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var direct wire.Decimal
		_ = direct.UnmarshalJSON(data)

		var d wire.Decimal
		if json.Unmarshal(data, &d) != nil {
			return
		}
		encoded, err := json.Marshal(d)
		require.NoError(t, err)
		var again wire.Decimal
		require.NoError(t, json.Unmarshal(encoded, &again), "%s", encoded)
		require.Equal(t, d, again, "re-encoded as %s", encoded)

		if isNumber(data) {
			require.Equal(t, wire.Decimal(bytes.TrimSpace(data)), d, "a number keeps its exact text")
			quoted, err := json.Marshal(string(d))
			require.NoError(t, err)
			var fromString wire.Decimal
			require.NoError(t, json.Unmarshal(quoted, &fromString))
			require.Equal(t, d, fromString, "%s and %s", data, quoted)
		}
	})
}

// FuzzInt checks that decoding never panics, that both integer types agree and survive a round
// trip, and that a number and its string form decode alike.
func FuzzInt(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var direct wire.Int
		_ = direct.UnmarshalJSON(data)
		var directString wire.IntString
		_ = directString.UnmarshalJSON(data)

		var i wire.Int
		errInt := json.Unmarshal(data, &i)
		var s wire.IntString
		errString := json.Unmarshal(data, &s)
		require.Equal(t, errInt == nil, errString == nil, "Int and IntString disagree on %q", data)
		if errInt != nil {
			return
		}
		require.Equal(t, int64(i), int64(s))

		for _, v := range []any{i, s} {
			encoded, err := json.Marshal(v)
			require.NoError(t, err)
			var back wire.Int
			require.NoError(t, json.Unmarshal(encoded, &back), "%s", encoded)
			require.Equal(t, i, back, "re-encoded as %s", encoded)
		}

		if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
			return
		}
		number := strconv.FormatInt(int64(i), 10)
		for _, form := range []string{number, strconv.Quote(number)} {
			var got wire.Int
			require.NoError(t, json.Unmarshal([]byte(form), &got), form)
			require.Equal(t, i, got, "%s and %s", data, form)
		}
		if isNumber(data) {
			var got wire.Int
			quoted := strconv.Quote(string(bytes.TrimSpace(data)))
			require.NoError(t, json.Unmarshal([]byte(quoted), &got), quoted)
			require.Equal(t, i, got, "%s and %s", data, quoted)
		}
	})
}

// FuzzReason checks that decoding never panics, that the code survives a round trip, and that
// the bare-string and object forms of a code decode alike.
func FuzzReason(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var direct wire.Reason
		_ = direct.UnmarshalJSON(data)
		_ = direct.String()

		var r wire.Reason
		if json.Unmarshal(data, &r) != nil {
			return
		}
		_ = r.String()
		encoded, err := json.Marshal(r)
		require.NoError(t, err)
		var fromString wire.Reason
		require.NoError(t, json.Unmarshal(encoded, &fromString), "%s", encoded)
		require.Equal(t, wire.Reason{Code: r.Code}, fromString, "re-encoded as %s", encoded)

		object, err := json.Marshal(map[string]string{"code": r.Code})
		require.NoError(t, err)
		var fromObject wire.Reason
		require.NoError(t, json.Unmarshal(object, &fromObject), "%s", object)
		require.Equal(t, fromString, fromObject, "%s and %s", encoded, object)
	})
}
