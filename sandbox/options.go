package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Option changes a sandbox setting.
type Option func(*options)

type options struct {
	creds          Credentials
	now            func() time.Time
	momoDelay      time.Duration
	tokenTTL       time.Duration
	callbackMethod string
	faults         Faults
	seed           uint64
	httpClient     *http.Client
	retrySchedule  []time.Duration
	userPolicy     UserPolicy
}

func defaultOptions() options {
	return options{
		creds:          DefaultCredentials(),
		now:            time.Now,
		momoDelay:      time.Second,
		tokenTTL:       time.Hour,
		callbackMethod: http.MethodPost,
		seed:           1,
		retrySchedule:  []time.Duration{100 * time.Millisecond, 500 * time.Millisecond, 2 * time.Second, 5 * time.Second},
		userPolicy:     UserWaits,
	}
}

func (o options) validate() error {
	switch {
	case o.callbackMethod != http.MethodPost && o.callbackMethod != http.MethodPut:
		return fmt.Errorf("sandbox: callback method %q: want POST or PUT", o.callbackMethod)
	case o.tokenTTL <= 0:
		return errors.New("sandbox: token TTL: must be positive")
	case o.momoDelay < 0:
		return errors.New("sandbox: MoMo result delay: must not be negative")
	}
	return o.faults.validate()
}

// WithCredentials replaces the test credentials the sandbox accepts.
func WithCredentials(c Credentials) Option { return func(o *options) { o.creds = c } }

// WithClock sets the clock used for token expiry and state changes.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithMoMoDelay sets how long a MoMo transaction stays PENDING before it reaches its final
// state (default 1 s; 0 makes results final at once).
func WithMoMoDelay(d time.Duration) Option { return func(o *options) { o.momoDelay = d } }

// WithTokenTTL sets the lifetime of the access tokens both families issue (default 1 h, as
// the MoMo sandbox and the Vipps test environment).
func WithTokenTTL(d time.Duration) Option { return func(o *options) { o.tokenTTL = d } }

// WithCallbackMethod sets the method of MoMo callbacks: POST (the default, as the real
// sandbox sends) or PUT (as documented).
func WithCallbackMethod(m string) Option { return func(o *options) { o.callbackMethod = m } }

// WithFaults switches faults on from the start; they can be changed later through
// /_sandbox/faults.
func WithFaults(f Faults) Option { return func(o *options) { o.faults = f } }

// WithSeed seeds the fault injector so that a run can be repeated.
func WithSeed(seed uint64) Option { return func(o *options) { o.seed = seed } }

// WithHTTPClient sets the client that delivers callbacks and webhooks (default: 10 s
// timeout, no redirects).
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithRetrySchedule sets the waits between delivery attempts of a callback or webhook that
// failed; its length is the number of retries.
func WithRetrySchedule(waits ...time.Duration) Option {
	return func(o *options) { o.retrySchedule = waits }
}

// UserPolicy decides what the simulated user does with a payment that waits for approval.
type UserPolicy string

// User policies.
const (
	// UserWaits leaves payments pending until a test approves or rejects them through the
	// API's test endpoints or /_sandbox/.
	UserWaits UserPolicy = "wait"
	// UserApproves approves every payment at once.
	UserApproves UserPolicy = "approve"
	// UserRejects rejects every payment at once.
	UserRejects UserPolicy = "reject"
)

// WithUserPolicy sets what the simulated Vipps user does with new payments and agreements.
func WithUserPolicy(p UserPolicy) Option { return func(o *options) { o.userPolicy = p } }
