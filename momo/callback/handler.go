package callback

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	gencallback "github.com/paykit-go/paykit/gen/momo/callback"
)

// Transaction statuses MoMo sends. The set is open: an unknown status is not final.
const (
	StatusCreated    = "CREATED"
	StatusPending    = "PENDING"
	StatusSuccessful = "SUCCESSFUL"
	StatusFailed     = "FAILED"
)

// Final reports whether status ends a transaction: SUCCESSFUL or FAILED. CREATED, PENDING and
// any status MoMo may add later are not final.
func Final(status string) bool { return status == StatusSuccessful || status == StatusFailed }

// Notification is one callback handed to the service.
type Notification struct {
	// Reference identifies the transaction: its X-Reference-Id when the callback URL carries
	// it. Empty when no reference could be worked out (and no confirmation was asked for).
	Reference string
	// Callback is the body as MoMo sent it, decoded leniently.
	Callback gencallback.Callback
	// Confirmed is true when Status and Reason come from a status read made by the Handler
	// (WithConfirm), false when they are the callback's own, unverified, claims.
	Confirmed bool
	// Status is the transaction's status: SUCCESSFUL, FAILED, or a status that is not final.
	Status string
	// Reason is the failure reason code (e.g. APPROVAL_REJECTED) when Status is FAILED.
	Reason string
	// Raw is the body exactly as received.
	Raw []byte
	// Method is the request's method, POST or PUT.
	Method string
}

// Handler returns an http.Handler that receives MoMo callbacks and hands each on to handle.
//
// It answers
//   - 405 (with Allow) to anything but POST and PUT;
//   - 413 when the body exceeds the limit (WithMaxBodyBytes), 400 when it is not a JSON
//     object or a field has an impossible type;
//   - 400 when confirmation is on but the request names no reference, or one that cannot
//     be an X-Reference-Id (ErrBadReference);
//   - 503 when confirmation fails, when the status read does not show yet the final status
//     the callback claims, or when the Store fails: MoMo delivers again later;
//   - 500 when handle returns an error, so that MoMo delivers again;
//   - 200 when handle returned nil, or without calling handle when the same final result
//     for the same reference was already handed on (a repeat).
//
// Nothing is dropped silently: every request is handed on, recorded as a repeat, or
// answered with a status that makes the sender try again. handle runs with the request's
// context; MoMo waits about 2 s for the answer, so do slow work elsewhere.
func Handler(handle func(ctx context.Context, n Notification) error, opts ...Option) http.Handler {
	cfg := config{maxBody: DefaultMaxBodyBytes}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.store == nil {
		cfg.store = NewMemoryStore(0)
	}
	if cfg.reference == nil {
		cfg.reference = PathReference
	}
	return &handler{cfg: cfg, handle: handle, locks: newKeyLock()}
}

type handler struct {
	cfg    config
	handle func(ctx context.Context, n Notification) error
	// locks serialises the callbacks of one reference, so that concurrent repeats wait for
	// the first one and then find it remembered, instead of all calling handle.
	locks *keyLock
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	fail := func(status int, err error) {
		if h.cfg.log != nil {
			h.cfg.log.LogAttrs(ctx, slog.LevelWarn, "momo callback not acknowledged",
				slog.Int("status", status), slog.String("error", err.Error()))
		}
		http.Error(w, http.StatusText(status), status)
	}
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		w.Header().Set("Allow", "POST, PUT")
		fail(http.StatusMethodNotAllowed, fmt.Errorf("momo callback: method %s: want POST or PUT", r.Method))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(http.StatusRequestEntityTooLarge, fmt.Errorf("momo callback: body larger than %d bytes", tooBig.Limit))
			return
		}
		fail(http.StatusBadRequest, fmt.Errorf("momo callback: reading the body: %w", err))
		return
	}
	cb, err := decode(body)
	if err != nil {
		fail(http.StatusBadRequest, err)
		return
	}
	n := Notification{Callback: cb, Status: cb.Status, Reason: reasonOf(cb), Raw: body, Method: r.Method}
	if ref, ok := h.cfg.reference(r, cb); ok {
		n.Reference = ref
	}
	if h.cfg.confirm != nil && n.Reference == "" {
		fail(http.StatusBadRequest, errors.New("momo callback: no reference in the request to confirm the status with; put the X-Reference-Id in the callback URL"))
		return
	}

	// Callbacks without a reference are told apart by their exact body: a redelivery
	// repeats it byte for byte.
	lockKey := "ref\x00" + n.Reference
	if n.Reference == "" {
		sum := sha256.Sum256(body)
		lockKey = "body\x00" + hex.EncodeToString(sum[:])
	}
	unlock, err := h.locks.lock(ctx, lockKey)
	if err != nil {
		fail(http.StatusServiceUnavailable, fmt.Errorf("momo callback: waiting for another delivery of %s: %w", n.Reference, err))
		return
	}
	defer unlock()

	// A repeat of a final result already handed on needs no status read: that result was
	// handed on (confirmed, when confirmation is on) before it was remembered.
	if done, err := h.repeat(ctx, lockKey, n); err != nil || done {
		if err != nil {
			fail(http.StatusServiceUnavailable, err)
			return
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	if h.cfg.confirm != nil {
		status, reason, err := h.cfg.confirm(ctx, n.Reference)
		switch {
		case errors.Is(err, ErrBadReference):
			fail(http.StatusBadRequest, fmt.Errorf("momo callback: confirming %s: %w", n.Reference, err))
			return
		case err != nil:
			fail(http.StatusServiceUnavailable, fmt.Errorf("momo callback: confirming %s: %w", n.Reference, err))
			return
		case !Final(status) && Final(n.Status):
			// The callback may run ahead of the status read; MoMo retries, and by then the
			// read shows it. Handing on the unverified claim would trust an unsigned body.
			fail(http.StatusServiceUnavailable, fmt.Errorf("momo callback: %s: the callback says %s, the status read still %q", n.Reference, n.Status, status))
			return
		}
		claimed := n.Status
		n.Status, n.Reason, n.Confirmed = status, reason, true
		if n.Status != claimed {
			if done, err := h.repeat(ctx, lockKey, n); err != nil || done {
				if err != nil {
					fail(http.StatusServiceUnavailable, err)
					return
				}
				w.WriteHeader(http.StatusOK)
				return
			}
		}
	}
	if err := h.handle(ctx, n); err != nil {
		fail(http.StatusInternalServerError, fmt.Errorf("momo callback: handler for %s: %w", n.Reference, err))
		return
	}
	if Final(n.Status) {
		if err := h.cfg.store.Remember(ctx, dedupeKey(lockKey, n.Status)); err != nil && h.cfg.log != nil {
			// The service has the notification; a redelivery may hand it on once more.
			h.cfg.log.LogAttrs(ctx, slog.LevelWarn, "momo callback handed on but not remembered",
				slog.String("reference", n.Reference), slog.String("error", err.Error()))
		}
	}
	w.WriteHeader(http.StatusOK)
}

// repeat reports whether n's final result was already handed on, and tells the duplicate
// hook and the logger when it was.
func (h *handler) repeat(ctx context.Context, lockKey string, n Notification) (bool, error) {
	if !Final(n.Status) {
		return false, nil
	}
	seen, err := h.cfg.store.Seen(ctx, dedupeKey(lockKey, n.Status))
	if err != nil {
		return false, fmt.Errorf("momo callback: looking up %s %s: %w", n.Reference, n.Status, err)
	}
	if !seen {
		return false, nil
	}
	if h.cfg.log != nil {
		h.cfg.log.LogAttrs(ctx, slog.LevelDebug, "momo callback repeated",
			slog.String("reference", n.Reference), slog.String("status", n.Status))
	}
	if h.cfg.onDuplicate != nil {
		h.cfg.onDuplicate(ctx, n)
	}
	return true, nil
}

// dedupeKey is the Store key of a final result.
func dedupeKey(lockKey, status string) string { return "momo-callback\x00" + lockKey + "\x00" + status }

// decode reads a callback body: a JSON object, unknown fields ignored.
func decode(body []byte) (gencallback.Callback, error) {
	var cb gencallback.Callback
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' {
		return cb, errors.New("momo callback: body is not a JSON object")
	}
	if err := json.Unmarshal(body, &cb); err != nil {
		return gencallback.Callback{}, fmt.Errorf("momo callback: decoding the body: %w", err)
	}
	return cb, nil
}

// reasonOf is the failure code of a callback: reason, or errorReason as invoices call it.
func reasonOf(cb gencallback.Callback) string {
	if cb.Reason.Code != "" {
		return cb.Reason.Code
	}
	return cb.ErrorReason.Code
}
