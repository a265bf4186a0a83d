package retry

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// AlreadyAcceptedHeader is set ("true") on the response the retrier returns in place of a
// MoMo 409 RESOURCE_ALREADY_EXIST that answered a retry: an earlier attempt of the same call
// reached MoMo, which holds the resource under the caller's X-Reference-Id.
const AlreadyAcceptedHeader = "Paykit-Already-Accepted"

// momoAlreadyExists is the code of MoMo's 409 for a repeated X-Reference-Id.
const momoAlreadyExists = "RESOURCE_ALREADY_EXIST"

// momoProvisioningCreate is the path of MoMo's one create that answers 201 rather than 202.
const momoProvisioningCreate = "/v1_0/apiuser"

// maxPeek bounds how much of a 409 body is read to find its code; MoMo's is under 100 bytes.
const maxPeek = 4 << 10

// AlreadyAccepted reports whether resp is the acceptance the retrier made up for a create
// whose earlier attempt reached MoMo (see AlreadyAcceptedHeader). The call succeeded; poll
// the resource's status with the same X-Reference-Id, as after any acceptance. Pass the
// HTTPResponse of a generated response.
func AlreadyAccepted(resp *http.Response) bool {
	return resp != nil && resp.Header.Get(AlreadyAcceptedHeader) == "true"
}

// acceptedOnRetry returns the acceptance to report when resp, the answer to attempt n of req,
// is MoMo's 409 RESOURCE_ALREADY_EXIST to a retried create, and nil otherwise, leaving resp's
// body as it found it for the caller to read.
//
// MoMo answers a repeated X-Reference-Id with that 409 whatever the body. On the first attempt
// it means the caller used a reference twice, which the caller must hear. On a retry it means
// an earlier attempt whose answer was lost (a timeout, a dropped connection, a 5xx sent after
// the request was taken) created the resource: the call has in fact been accepted, and
// reporting a conflict would lead the caller to fail, or to mint a new reference and pay
// twice. Vipps needs no such help: a repeated Idempotency-Key with the same body gets the
// stored answer of the first attempt, which the retrier passes on as it is.
func acceptedOnRetry(req *http.Request, resp *http.Response, n int) *http.Response {
	if n < 2 || resp.StatusCode != http.StatusConflict || req.Method != http.MethodPost || req.Header.Get(ReferenceIDHeader) == "" {
		return nil
	}
	peek, err := io.ReadAll(io.LimitReader(resp.Body, maxPeek))
	var body struct {
		Code string `json:"code"`
	}
	if err != nil || json.Unmarshal(peek, &body) != nil || body.Code != momoAlreadyExists {
		resp.Body = &replayedBody{Reader: io.MultiReader(bytes.NewReader(peek), resp.Body), Closer: resp.Body}
		return nil
	}
	drain(resp.Body)

	status := http.StatusAccepted
	if strings.HasSuffix(req.URL.Path, momoProvisioningCreate) {
		status = http.StatusCreated // the sandbox API user create answers 201 Created
	}
	return &http.Response{
		Status:        strconv.Itoa(status) + " " + http.StatusText(status),
		StatusCode:    status,
		Proto:         resp.Proto,
		ProtoMajor:    resp.ProtoMajor,
		ProtoMinor:    resp.ProtoMinor,
		Header:        http.Header{AlreadyAcceptedHeader: {"true"}},
		Body:          http.NoBody,
		ContentLength: 0,
		Request:       resp.Request,
		TLS:           resp.TLS,
	}
}

// replayedBody is a response body whose start was read already and is served again.
type replayedBody struct {
	io.Reader
	io.Closer
}
