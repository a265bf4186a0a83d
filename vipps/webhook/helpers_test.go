package webhook_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// contractDataEnv names the directory of shared contract data; a relative value is taken from
// the module root. The default is ../shared/contract-data from the module root.
const contractDataEnv = "PAYKIT_CONTRACT_DATA"

// vector is one HMAC test vector: the inputs and the values Vipps would send.
type vector struct {
	Name          string `json:"name"`
	Source        string `json:"source"`
	Secret        string `json:"secret"`
	URL           string `json:"url"`
	PathAndQuery  string `json:"pathAndQuery"`
	Host          string `json:"host"`
	Date          string `json:"date"`
	Body          string `json:"body"`
	ContentSHA256 string `json:"contentSha256"`
	Signature     string `json:"signature"`
	Authorization string `json:"authorization"`
}

// loadVectors reads testdata/vectors.json; the first vector is the official one.
func loadVectors(t testing.TB) []vector {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
	require.NoError(t, err)
	var doc struct {
		Vectors []vector `json:"vectors"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	require.GreaterOrEqual(t, len(doc.Vectors), 3)
	return doc.Vectors
}

// vectorByName returns the vector called name.
func vectorByName(t testing.TB, name string) vector {
	t.Helper()
	for _, v := range loadVectors(t) {
		if v.Name == name {
			return v
		}
	}
	t.Fatalf("no vector %q in testdata/vectors.json", name)
	return vector{}
}

// independentHash is base64(SHA-256(body)), computed here without the package under test.
func independentHash(body []byte) string {
	sum := sha256.Sum256(body)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// independentSignature is the Vipps signature computed here without the package under test.
func independentSignature(key []byte, pathAndQuery, date, host, hash string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("POST\n" + pathAndQuery + "\n" + date + ";" + host + ";" + hash))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// signedRequest builds the POST Vipps would send to v.URL with v's headers and body.
func signedRequest(v vector) *http.Request {
	r := httptest.NewRequest(http.MethodPost, v.URL, bytes.NewReader([]byte(v.Body)))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("x-ms-date", v.Date)
	r.Header.Set("x-ms-content-sha256", v.ContentSHA256)
	r.Header.Set("Authorization", v.Authorization)
	return r
}

// moduleRoot walks up from the package directory to the directory holding go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "no go.mod above the test's directory")
		dir = parent
	}
}

// contractVectorPath returns the official vector in the shared contract data, or skips.
func contractVectorPath(t *testing.T) string {
	t.Helper()
	root := moduleRoot(t)
	dir := os.Getenv(contractDataEnv)
	if dir == "" {
		dir = filepath.Join("..", "shared", "contract-data")
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	p := filepath.Join(dir, "vipps", "webhook-hmac-vector.json")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("official Vipps webhook HMAC vector: %s not found (no contract data); set %s to the contract-data directory "+
			"holding vipps/webhook-hmac-vector.json (default ../shared/contract-data from the module root %s); "+
			"the same vector also runs from testdata/vectors.json", p, contractDataEnv, root)
	}
	return p
}
