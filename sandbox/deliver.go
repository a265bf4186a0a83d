package sandbox

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// Delivery is a request the sandbox makes to a provider or merchant: a MoMo callback, an
// eCom callback, a Vipps webhook.
type Delivery struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte
	// Sign, when set, is called before every attempt to set headers that depend on the
	// moment of sending (a webhook's x-ms-date and signature).
	Sign func(h http.Header, now time.Time)
	// Retry sends the delivery again on a failure (a network error, a non-2xx answer)
	// following the retry schedule; otherwise there is one attempt, as for eCom callbacks.
	Retry bool
}

// DeliveryRecord is what became of a delivery, as /_sandbox/deliveries shows it.
type DeliveryRecord struct {
	Method    string    `json:"method"`
	URL       string    `json:"url"`
	Attempts  int       `json:"attempts"`
	Status    int       `json:"status,omitempty"`
	Delivered bool      `json:"delivered"`
	Error     string    `json:"error,omitempty"`
	Queued    time.Time `json:"queued"`
}

// deliverer sends deliveries in the background, each in its own goroutine, so that a slow
// receiver never holds up the API.
type deliverer struct {
	client     *http.Client
	schedule   []time.Duration
	now        func() time.Time
	duplicates func() bool

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	records []*DeliveryRecord
}

func newDeliverer(o options) *deliverer {
	c := o.httpClient
	if c == nil {
		c = &http.Client{
			Timeout: 10 * time.Second,
			// Vipps and MoMo follow no redirects when they call a merchant.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &deliverer{client: c, schedule: o.retrySchedule, now: o.now, ctx: ctx, cancel: cancel,
		duplicates: func() bool { return false }}
}

// send queues d; with duplicate callbacks on, it is sent twice.
func (dl *deliverer) send(d Delivery) {
	copies := 1
	if dl.duplicates() {
		copies = 2
	}
	for range copies {
		rec := &DeliveryRecord{Method: d.Method, URL: d.URL, Queued: dl.now()}
		dl.mu.Lock()
		dl.records = append(dl.records, rec)
		dl.mu.Unlock()
		dl.wg.Add(1)
		go func() {
			defer dl.wg.Done()
			dl.run(d, rec)
		}()
	}
}

func (dl *deliverer) run(d Delivery, rec *DeliveryRecord) {
	for attempt := 0; ; attempt++ {
		status, err := dl.attempt(d)
		dl.mu.Lock()
		rec.Attempts++
		rec.Status = status
		rec.Delivered = err == nil && status >= 200 && status < 300
		rec.Error = ""
		if err != nil {
			rec.Error = err.Error()
		}
		done := rec.Delivered || !d.Retry || attempt >= len(dl.schedule)
		dl.mu.Unlock()
		if done {
			return
		}
		t := time.NewTimer(dl.schedule[attempt])
		select {
		case <-t.C:
		case <-dl.ctx.Done():
			t.Stop()
			return
		}
	}
}

func (dl *deliverer) attempt(d Delivery) (int, error) {
	req, err := http.NewRequestWithContext(dl.ctx, d.Method, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return 0, err
	}
	for k, v := range d.Header {
		req.Header[k] = append([]string(nil), v...)
	}
	if d.Sign != nil {
		d.Sign(req.Header, dl.now())
	}
	resp, err := dl.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// list returns a copy of the delivery records, oldest first.
func (dl *deliverer) list() []DeliveryRecord {
	dl.mu.Lock()
	defer dl.mu.Unlock()
	out := make([]DeliveryRecord, len(dl.records))
	for i, r := range dl.records {
		out[i] = *r
	}
	return out
}

// reset forgets the records; deliveries under way go on.
func (dl *deliverer) reset() {
	dl.mu.Lock()
	defer dl.mu.Unlock()
	dl.records = nil
}

// close abandons pending retries and waits for attempts under way.
func (dl *deliverer) close() {
	dl.cancel()
	dl.wg.Wait()
}

// Deliveries lists the callbacks and webhooks sent so far and what became of them.
func (s *Sandbox) Deliveries() []DeliveryRecord { return s.deliver.list() }
