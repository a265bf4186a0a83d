package callback

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/paykit-go/paykit/gen/momo/collection"
	"github.com/paykit-go/paykit/gen/momo/common"
	"github.com/paykit-go/paykit/gen/momo/disbursement"
)

// Confirmer reads a transaction's status from MoMo: the status and the failure reason code.
// Handler hands on what it returns instead of what the callback claims.
type Confirmer func(ctx context.Context, reference string) (status, reason string, err error)

// Errors a Confirmer returns, to match with errors.Is.
var (
	// ErrBadReference: the reference cannot be an X-Reference-Id (not a UUID). Handler
	// answers 400, since no retry can help.
	ErrBadReference = errors.New("momo callback: reference is not a UUID")
	// ErrUnknownReference: the status read answered 404. Soon after the create this means
	// "not visible yet"; Handler answers 503 so that MoMo delivers again.
	ErrUnknownReference = errors.New("momo callback: MoMo does not know the reference (yet)")
)

// maxStatusBody bounds the status body read; MoMo's are a few hundred bytes.
const maxStatusBody = 1 << 20

// ConfirmRequestToPay confirms request-to-pay callbacks with the request-to-pay status read
// (GET /collection/v1_0/requesttopay/{referenceId}). targetEnv is the X-Target-Environment;
// leave it empty with the clients of momo.New, which fill in the configured one.
func ConfirmRequestToPay(c *collection.ClientWithResponses, targetEnv string) Confirmer {
	return func(ctx context.Context, reference string) (string, string, error) {
		return confirm(ctx, "request to pay", reference, func(ctx context.Context, id uuid.UUID) (*http.Response, error) {
			return c.GetRequestToPayStatus(ctx, id, &collection.GetRequestToPayStatusParams{XTargetEnvironment: targetEnv})
		}, func(r common.RequestToPayResult) (string, common.Reason) { return r.Status, r.Reason })
	}
}

// ConfirmTransfer confirms disbursement transfer callbacks with the transfer status read
// (GET /disbursement/v1_0/transfer/{referenceId}). targetEnv as for ConfirmRequestToPay.
func ConfirmTransfer(c *disbursement.ClientWithResponses, targetEnv string) Confirmer {
	return func(ctx context.Context, reference string) (string, string, error) {
		return confirm(ctx, "transfer", reference, func(ctx context.Context, id uuid.UUID) (*http.Response, error) {
			return c.GetTransferStatus(ctx, id, &disbursement.GetTransferStatusParams{XTargetEnvironment: targetEnv})
		}, transferStatus)
	}
}

// ConfirmDeposit confirms deposit callbacks (v1 and v2) with the deposit status read
// (GET /disbursement/v1_0/deposit/{referenceId}). targetEnv as for ConfirmRequestToPay.
func ConfirmDeposit(c *disbursement.ClientWithResponses, targetEnv string) Confirmer {
	return func(ctx context.Context, reference string) (string, string, error) {
		return confirm(ctx, "deposit", reference, func(ctx context.Context, id uuid.UUID) (*http.Response, error) {
			return c.GetDepositStatus(ctx, id, &disbursement.GetDepositStatusParams{XTargetEnvironment: targetEnv})
		}, transferStatus)
	}
}

// ConfirmRefund confirms refund callbacks (v1 and v2) with the refund status read
// (GET /disbursement/v1_0/refund/{referenceId}). targetEnv as for ConfirmRequestToPay.
func ConfirmRefund(c *disbursement.ClientWithResponses, targetEnv string) Confirmer {
	return func(ctx context.Context, reference string) (string, string, error) {
		return confirm(ctx, "refund", reference, func(ctx context.Context, id uuid.UUID) (*http.Response, error) {
			return c.GetRefundStatus(ctx, id, &disbursement.GetRefundStatusParams{XTargetEnvironment: targetEnv})
		}, transferStatus)
	}
}

func transferStatus(r common.TransferResult) (string, common.Reason) { return r.Status, r.Reason }

// confirm makes one status read. It decodes the body only on 200, so that an error answer
// with an odd body (empty, HTML, the gateway's own shape) is reported with its status
// rather than as a decoding failure.
func confirm[T any](ctx context.Context, op, reference string, get func(context.Context, uuid.UUID) (*http.Response, error), pick func(T) (string, common.Reason)) (string, string, error) {
	id, err := uuid.Parse(reference)
	if err != nil {
		return "", "", fmt.Errorf("%w: %s %q", ErrBadReference, op, reference)
	}
	resp, err := get(ctx, id)
	if err != nil {
		return "", "", fmt.Errorf("momo callback: %s status of %s: %w", op, id, err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxStatusBody))
	if err != nil {
		return "", "", fmt.Errorf("momo callback: %s status of %s: reading the answer: %w", op, id, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		var v T
		if err := json.Unmarshal(body, &v); err != nil {
			return "", "", fmt.Errorf("momo callback: %s status of %s: decoding the answer: %w", op, id, err)
		}
		status, reason := pick(v)
		return status, reason.Code, nil
	case http.StatusNotFound:
		return "", "", fmt.Errorf("%w: %s %s", ErrUnknownReference, op, id)
	}
	return "", "", fmt.Errorf("momo callback: %s status of %s: HTTP %d%s", op, id, resp.StatusCode, excerpt(body))
}

// excerpt is the start of an error body for a message: MoMo explains errors there.
func excerpt(body []byte) string {
	s := strings.TrimSpace(strings.ToValidUTF8(string(body), "\uFFFD"))
	if s == "" {
		return ""
	}
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return ": " + s
}
