package validate

import (
	"context"
	"net/http"

	"github.com/paykit-go/paykit/auth"
)

// MoMoEditor returns an auth.Editor that runs MoMoRequest, so that a generated MoMo client
// refuses an invalid request before sending it:
//
//	collection.NewClientWithResponses(url, collection.WithRequestEditorFn(validate.MoMoEditor()))
//
// Editors run in order; add it after the one that sets X-Target-Environment, so that the
// sandbox's EUR-only rule can apply.
func MoMoEditor() auth.Editor {
	return func(_ context.Context, req *http.Request) error { return MoMoRequest(req) }
}

// VippsEditor returns an auth.Editor that runs VippsRequest, so that a generated Vipps
// MobilePay client refuses an invalid request before sending it.
func VippsEditor() auth.Editor {
	return func(_ context.Context, req *http.Request) error { return VippsRequest(req) }
}

// MoMoDoer returns an auth.Doer that runs MoMoRequest on each request and sends it with next
// only when it passes. As a Doer it sees the request after every editor, headers included.
func MoMoDoer(next auth.Doer) auth.Doer { return checkingDoer(next, MoMoRequest) }

// VippsDoer returns an auth.Doer that runs VippsRequest on each request and sends it with
// next only when it passes; placed after a partner's merchant binding, it also sees the
// Merchant-Serial-Number the binding set.
func VippsDoer(next auth.Doer) auth.Doer { return checkingDoer(next, VippsRequest) }

func checkingDoer(next auth.Doer, check func(*http.Request) error) auth.Doer {
	return auth.DoerFunc(func(req *http.Request) (*http.Response, error) {
		if err := check(req); err != nil {
			if req.Body != nil {
				_ = req.Body.Close() // a Doer owns the body it was given, sent or not
			}
			return nil, err
		}
		return next.Do(req)
	})
}
