package wire_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/wire"
)

func TestDecimalDecodesStringsAndNumbersExactly(t *testing.T) {
	tests := []struct {
		in   string
		want wire.Decimal
	}{
		{`"100"`, "100"},
		{`"12.50"`, "12.50"},
		{`12.50`, "12.50"},
		{`123456789012345678901234567890.01`, "123456789012345678901234567890.01"},
		{` 7 `, "7"},
	}
	for _, tt := range tests {
		var d wire.Decimal
		require.NoError(t, json.Unmarshal([]byte(tt.in), &d), tt.in)
		assert.Equal(t, tt.want, d, tt.in)
	}
}

func TestDecimalRejectsOtherShapes(t *testing.T) {
	for _, in := range []string{`true`, `{}`, `[1]`, `"unterminated`} {
		var d wire.Decimal
		assert.Error(t, json.Unmarshal([]byte(in), &d), in)
	}
}

func TestDecimalNullLeavesValue(t *testing.T) {
	d := wire.Decimal("5")
	require.NoError(t, json.Unmarshal([]byte(`null`), &d))
	assert.Equal(t, wire.Decimal("5"), d)
}

func TestDecimalEncodesAsString(t *testing.T) {
	b, err := json.Marshal(struct {
		Amount wire.Decimal `json:"amount"`
	}{"100.5"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"amount":"100.5"}`, string(b))
}

func TestTextDecodesStringsAndNumbers(t *testing.T) {
	var v struct {
		Score   wire.Text `json:"credit_score"`
		Updated wire.Text `json:"updated_at"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"credit_score":123,"updated_at":"1676978048"}`), &v))
	assert.Equal(t, wire.Text("123"), v.Score)
	assert.Equal(t, wire.Text("1676978048"), v.Updated)
	b, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{"credit_score":"123","updated_at":"1676978048"}`, string(b))
}

func TestReasonDecodesBothForms(t *testing.T) {
	tests := []struct {
		in   string
		want wire.Reason
	}{
		{`"APPROVAL_REJECTED"`, wire.Reason{Code: "APPROVAL_REJECTED"}},
		{`{"code":"PAYER_NOT_FOUND","message":"Payee does not exist"}`, wire.Reason{Code: "PAYER_NOT_FOUND", Message: "Payee does not exist"}},
		{`{"code":"X","extra":1}`, wire.Reason{Code: "X"}},
		{`""`, wire.Reason{}},
	}
	for _, tt := range tests {
		var r wire.Reason
		require.NoError(t, json.Unmarshal([]byte(tt.in), &r), tt.in)
		assert.Equal(t, tt.want, r, tt.in)
	}
	for _, bad := range []string{`12`, `true`, `["A"]`, `{"code":1}`} {
		var r wire.Reason
		assert.Error(t, json.Unmarshal([]byte(bad), &r), bad)
	}
}

func TestReasonEncodesTheBareCode(t *testing.T) {
	b, err := json.Marshal(map[string]wire.Reason{"reason": {Code: "EXPIRED", Message: "ignored on the wire"}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"reason":"EXPIRED"}`, string(b))
	assert.Equal(t, "EXPIRED: ignored on the wire", wire.Reason{Code: "EXPIRED", Message: "ignored on the wire"}.String())
}

func TestIntegersDecodeStringsAndNumbers(t *testing.T) {
	var v struct {
		A wire.Int       `json:"a"`
		B wire.IntString `json:"b"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"a":"86398","b":900}`), &v))
	assert.Equal(t, wire.Int(86398), v.A)
	assert.Equal(t, wire.IntString(900), v.B)
	b, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":86398,"b":"900"}`, string(b))

	for _, bad := range []string{`"12.5"`, `1.5`, `"abc"`, `true`, `""`, `{}`} {
		var i wire.Int
		assert.Error(t, json.Unmarshal([]byte(bad), &i), bad)
		var s wire.IntString
		assert.Error(t, json.Unmarshal([]byte(bad), &s), bad)
	}
}

// Called directly (not through json.Unmarshal, which checks the document first), the
// decoders still refuse trailing text.
func TestDecodersRefuseTrailingText(t *testing.T) {
	for _, in := range []string{`12abc`, `1 2`, `12}`, `"12"x`} {
		var d wire.Decimal
		assert.Error(t, d.UnmarshalJSON([]byte(in)), in)
		var i wire.Int
		assert.Error(t, i.UnmarshalJSON([]byte(in)), in)
	}
}
