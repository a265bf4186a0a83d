package api_test

import (
	"context"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paykit-go/paykit/api"
)

func load(t *testing.T, name string) *openapi3.T {
	t.Helper()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		return fs.ReadFile(api.FS(), path.Clean(u.Path))
	}
	doc, err := loader.LoadFromFile(name)
	require.NoError(t, err, name)
	require.NoError(t, doc.Validate(context.Background()), name)
	return doc
}

// TestMoMoOperations validates every MoMo document and counts its operations against the
// API's published lists (remittance: 14 published, 2 of them junk).
func TestMoMoOperations(t *testing.T) {
	want := map[string]int{
		"momo/provisioning.yaml": 3,
		"momo/collection.yaml":   23,
		"momo/disbursement.yaml": 16,
		"momo/remittance.yaml":   12,
		"momo/callback.yaml":     2,
	}
	total := 0
	for _, name := range api.MoMo {
		doc := load(t, name)
		var ids []string
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				require.NotEmpty(t, op.OperationID, "%s: every operation needs an operationId", name)
				ids = append(ids, op.OperationID)
			}
		}
		sort.Strings(ids)
		assert.Len(t, ids, want[name], "%s: %v", name, ids)
		if name != "momo/callback.yaml" {
			total += len(ids)
		}
	}
	assert.Equal(t, 54, total)
	t.Logf("%d MoMo API operations in %d documents, all valid", total, len(api.MoMo)-1)
}

// TestMoMoWireTruths pins the places where the documents follow the wire rather than the
// published schema, so that an edit cannot quietly undo them.
func TestMoMoWireTruths(t *testing.T) {
	common := load(t, "momo/common.yaml")
	schemas := common.Components.Schemas

	assert.True(t, schemas["Decimal"].Value.Type.Is("string"), "amounts are decimal strings")
	assert.Len(t, schemas["Reason"].Value.OneOf, 2, "reason is a string or an object")
	assert.Nil(t, schemas["TransactionStatus"].Value.Enum, "statuses are an open set")
	assert.Contains(t, schemas["TransactionStatus"].Value.Extensions["x-extensible-enum"], "CREATED")
	assert.True(t, schemas["AccessToken"].Value.Properties["expires_in"].Value.Type.Is("integer"))

	collection := load(t, "momo/collection.yaml")
	assert.NotNil(t, collection.Paths.Find("/token/"), "the token path keeps its trailing slash")
	assert.Nil(t, collection.Paths.Find("/token"))
	rtp := collection.Paths.Find("/v1_0/requesttopay").Post
	accepted := rtp.Responses.Status(202).Value
	assert.Empty(t, accepted.Content, "202 has no body")
	for _, p := range rtp.Parameters {
		switch p.Value.Name {
		case "X-Reference-Id":
			assert.True(t, p.Value.Required)
			assert.Equal(t, "uuid", p.Value.Schema.Value.Format)
		case "X-Callback-Url":
			assert.False(t, p.Value.Required)
			assert.Equal(t, "uri", p.Value.Schema.Value.Format)
		}
	}
}

// TestVippsOperations validates every Vipps document and logs its operations, so that the
// closing figures come from the documents themselves.
func TestVippsOperations(t *testing.T) {
	want := map[string]int{
		"vipps/accesstoken.yaml": 2,
		"vipps/epayment.yaml":    7,
		"vipps/ecom.yaml":        7,
		"vipps/recurring.yaml":   13,
		"vipps/partner.yaml":     3,
		"vipps/management.yaml":  9,
		"vipps/userinfo.yaml":    2,
		"vipps/webhooks.yaml":    3,
	}
	total := 0
	for _, name := range api.Vipps {
		doc := load(t, name)
		n := 0
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				require.NotEmpty(t, op.OperationID, "%s: every operation needs an operationId", name)
				n++
			}
		}
		if w, ok := want[name]; ok {
			assert.Equal(t, w, n, name)
			total += n
		}
		t.Logf("%s: %d operations", name, n)
	}
	assert.Equal(t, 46, total)
}

// TestVippsWireTruths pins where the Vipps documents follow the wire.
func TestVippsWireTruths(t *testing.T) {
	token := load(t, "vipps/accesstoken.yaml")
	get := token.Components.Schemas["AuthorizationTokenResponse"].Value
	for _, f := range []string{"expires_in", "ext_expires_in", "expires_on", "not_before"} {
		assert.True(t, get.Properties[f].Value.Type.Is("string"), "%s is a string on /accesstoken/get", f)
	}
	assert.True(t, token.Components.Schemas["TokenResponse"].Value.Properties["expires_in"].Value.Type.Is("integer"), "miami expires_in is a number")

	common := load(t, "vipps/common.yaml")
	msn := common.Components.Schemas["MerchantSerialNumber"].Value
	assert.Equal(t, "^[0-9]{4,10}$", msn.Pattern)
	assert.Equal(t, uint64(30), *common.Components.Schemas["SystemValue"].Value.MaxLength)
}
