package validate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONLookup(t *testing.T) {
	body := jsonValue(`{ "amount" : "12.50", "payer": {"partyIdType":"MSISDN", "partyId" : "46733123450"},
		"n": -1.5e3, "list": [1, {"x": "}"}, "a\"b"], "empty": {}, "nothing": null, "t": true,
		"esc\u0061ped": "caf\u00e9 \"q\"", "dup": "first", "dup": "last", "ünï": "ок", "deep": {"a": {"b": {"c": "d"}}}}`)
	require.True(t, json.Valid([]byte(body)))

	cases := []struct {
		path  string
		found bool
		raw   string // the value's text
		text  string // decoded, for strings
	}{
		{"amount", true, `"12.50"`, "12.50"},
		{"payer.partyIdType", true, `"MSISDN"`, "MSISDN"},
		{"payer.partyId", true, `"46733123450"`, "46733123450"},
		{"payer", true, `{"partyIdType":"MSISDN", "partyId" : "46733123450"}`, ""},
		{"payer.missing", false, "", ""},
		{"amount.deeper", false, "", ""}, // below a string there is nothing
		{"n", true, `-1.5e3`, ""},
		{"list", true, `[1, {"x": "}"}, "a\"b"]`, ""},
		{"empty", true, `{}`, ""},
		{"nothing", true, `null`, ""},
		{"t", true, `true`, ""},
		{"escaped", true, `"caf\u00e9 \"q\""`, `café "q"`}, // the key is written with an escape
		{"dup", true, `"last"`, "last"},                    // the last of a repeated key, as encoding/json
		{"ünï", true, `"ок"`, "ок"},
		{"deep.a.b.c", true, `"d"`, "d"},
		{"deep.a.b.x", false, "", ""},
		{"", true, string(body), ""}, // the empty path is the body itself
		{"missing", false, "", ""},
	}
	for _, tc := range cases {
		v, ok := body.lookup(tc.path)
		require.Equal(t, tc.found, ok, tc.path)
		if !ok {
			continue
		}
		assert.Equal(t, tc.raw, string(v), tc.path)
		if v.isString() {
			assert.Equal(t, tc.text, v.text(), tc.path)
		}
	}

	kinds := map[string]func(jsonValue) bool{"payer": jsonValue.isObject, "amount": jsonValue.isString, "n": jsonValue.isNumber, "nothing": jsonValue.isNull}
	for path, is := range kinds {
		v, _ := body.lookup(path)
		assert.True(t, is(v), path)
	}
	for path, want := range map[string]string{"payer": "{…}", "list": "[…]", "n": "-1.5e3", "t": "true", "escaped": `café "q"`} {
		v, _ := body.lookup(path)
		assert.Equal(t, want, v.brief(), path)
	}
}

// TestParseBodyRefusesWhatIsNotOneObject: the body must be one JSON object, with nothing
// after it.
func TestParseBodyRefusesWhatIsNotOneObject(t *testing.T) {
	for _, raw := range []string{`null`, `[]`, `"x"`, `{"a":1} {"b":2}`, `{"a":1} x`, `{"a":}`, `{"a":1`, "{\"a\":\"\xff\"", `{'a':1}`} {
		c := &checker{}
		c.parseBody(raw, true)
		assert.True(t, c.badBody, raw)
		require.Len(t, c.errs, 1, raw)
		assert.Equal(t, RuleFormat, c.errs[0].(*Error).Rule, raw)
	}
	c := &checker{}
	c.parseBody(" \n\t{\"a\": 1}\n", true)
	assert.False(t, c.badBody)
	assert.Empty(t, c.errs)
}

// FuzzJSONLookup: for any JSON object, every member found by scanning the text is the member
// encoding/json decodes, and no other is found.
func FuzzJSONLookup(f *testing.F) {
	for _, seed := range []string{
		`{"amount":"1","currency":"EUR","payer":{"partyIdType":"MSISDN","partyId":"1"}}`,
		`{"a":{"b":[1,2,{"c":"]}"}]},"a":null,"\u0062":"x\\\"y","é":1e9}`,
		` { } `, `{"":""}`, `{"k":"\ud800"}`, `{"":null,".00000":"\b","00":0}`, "{\"k\":\"\xc3\x28\"}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		raw = bytes.TrimSpace(raw)
		var want map[string]json.RawMessage
		if !json.Valid(raw) || json.Unmarshal(raw, &want) != nil || want == nil {
			return
		}
		body := jsonValue(raw)
		members, ok := checkJSON(string(raw), nil)
		require.True(t, ok, "%s", raw)
		got := map[string]bool{}
		body.eachField(func(k, _ jsonValue) { got[k.text()] = true })
		require.Len(t, got, len(want), "members of %s", raw)
		for key, wantRaw := range want {
			v, ok := body.field(key)
			require.True(t, ok, "member %q of %s", key, raw)
			assert.Equal(t, compact(t, wantRaw), compact(t, []byte(v)), "member %q of %s", key, raw)
			if !strings.Contains(key, ".") { // a dot would be read as a path
				listed, ok := lookupIn(members, key)
				require.True(t, ok, "member %q of %s listed", key, raw)
				assert.Equal(t, v, listed, "member %q of %s listed", key, raw)
			}
			if v.isString() {
				var s string
				require.NoError(t, json.Unmarshal([]byte(v), &s))
				assert.Equal(t, s, v.text(), "member %q of %s", key, raw)
			}
		}
	})
}

func compact(t *testing.T, raw []byte) string {
	var b bytes.Buffer
	require.NoError(t, json.Compact(&b, raw))
	return b.String()
}

// validJSONSeeds are edge cases of the grammar, valid and not.
var validJSONSeeds = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `-0.5e-7`, `1E+2`, `true`, `false`, `null`, ` {"a" : [ 1 , 2 ] } `,
	`{"a":"\u00e9\n\"\\\/\b\f\r\t"}`, "\"\xff\xfe\"", `[[[[[]]]]]`,
	``, ` `, `{`, `}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a":1 "b":2}`, `{1:2}`,
	`01`, `-`, `1.`, `.5`, `1e`, `1e+`, `+1`, `0x10`, `NaN`, `tru`, `nul`, `truex`, `"\x"`, `"\u12"`,
	`"\u12G4"`, "\"a\tb\"", "\"a\x00\"", `"abc`, `{"a":1}x`, `1 2`, `[1]]`, `{"a":{"b":[}}`,
}

func TestValidJSONAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range validJSONSeeds {
		assert.Equal(t, json.Valid([]byte(s)), validJSON(s), "%q", s)
	}
	deep := strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1)
	assert.False(t, validJSON(deep), "nesting beyond the bound")
	assert.Equal(t, json.Valid([]byte(deep)), validJSON(deep))
	deepest := strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth)
	assert.True(t, validJSON(deepest), "nesting at the bound")
	assert.Equal(t, json.Valid([]byte(deepest)), validJSON(deepest))
}

// FuzzValidJSON: the hand-written check accepts exactly what json.Valid accepts.
func FuzzValidJSON(f *testing.F) {
	for _, s := range validJSONSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := validJSON(s), json.Valid([]byte(s)); got != want {
			t.Fatalf("validJSON(%q) = %v, json.Valid says %v", s, got, want)
		}
	})
}
