package sandbox

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Faults are failures the sandbox injects before a request reaches the API, standing for
// the network and the gateway. Rates are fractions of requests, 0 to 1.
type Faults struct {
	// Rate500 and Rate503 answer that share of requests with an empty 500 or 503.
	Rate500 float64 `json:"rate500,omitempty"`
	Rate503 float64 `json:"rate503,omitempty"`
	// Rate429 answers that share with 429 and a Retry-After of RetryAfter (default 1 s).
	Rate429    float64       `json:"rate429,omitempty"`
	RetryAfter time.Duration `json:"retryAfter,omitempty"`
	// DropRate closes that share of connections without an answer.
	DropRate float64 `json:"dropRate,omitempty"`
	// MinLatency and MaxLatency add a uniformly drawn delay to every request.
	MinLatency time.Duration `json:"minLatency,omitempty"`
	MaxLatency time.Duration `json:"maxLatency,omitempty"`
	// DuplicateCallbacks delivers every callback and webhook twice.
	DuplicateCallbacks bool `json:"duplicateCallbacks,omitempty"`
}

func (f Faults) validate() error {
	for name, r := range map[string]float64{"rate500": f.Rate500, "rate503": f.Rate503, "rate429": f.Rate429, "dropRate": f.DropRate} {
		if r < 0 || r > 1 {
			return fmt.Errorf("sandbox: faults %s %v: want a fraction from 0 to 1", name, r)
		}
	}
	if sum := f.Rate500 + f.Rate503 + f.Rate429 + f.DropRate; sum > 1 {
		return fmt.Errorf("sandbox: faults: rates add up to %v, more than 1", sum)
	}
	if f.MinLatency < 0 || f.MaxLatency < f.MinLatency {
		return fmt.Errorf("sandbox: faults latency %v..%v: want 0 <= min <= max", f.MinLatency, f.MaxLatency)
	}
	return nil
}

// faultInjector applies the current Faults; they can change while requests run.
type faultInjector struct {
	mu     sync.Mutex
	faults Faults
	rnd    *rand.Rand
}

func newFaultInjector(f Faults, seed uint64) *faultInjector {
	return &faultInjector{faults: f, rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (fi *faultInjector) get() Faults {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.faults
}

func (fi *faultInjector) set(f Faults) error {
	if err := f.validate(); err != nil {
		return err
	}
	fi.mu.Lock()
	defer fi.mu.Unlock()
	fi.faults = f
	return nil
}

// draw returns a uniform number in [0,1) and a latency for one request.
func (fi *faultInjector) draw() (Faults, float64, time.Duration) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	f := fi.faults
	var lat time.Duration
	if f.MaxLatency > 0 {
		lat = f.MinLatency + time.Duration(fi.rnd.Int64N(int64(f.MaxLatency-f.MinLatency)+1))
	}
	return f, fi.rnd.Float64(), lat
}

// inject applies faults to one request and reports whether it answered it.
func (fi *faultInjector) inject(w http.ResponseWriter, r *http.Request) bool {
	f, p, lat := fi.draw()
	if lat > 0 {
		t := time.NewTimer(lat)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	switch {
	case p < f.Rate500:
		w.WriteHeader(http.StatusInternalServerError)
	case p < f.Rate500+f.Rate503:
		w.WriteHeader(http.StatusServiceUnavailable)
	case p < f.Rate500+f.Rate503+f.Rate429:
		after := f.RetryAfter
		if after <= 0 {
			after = time.Second
		}
		w.Header().Set("Retry-After", strconv.Itoa(int((after+time.Second-1)/time.Second)))
		w.WriteHeader(http.StatusTooManyRequests)
	case p < f.Rate500+f.Rate503+f.Rate429+f.DropRate:
		drop(w)
	default:
		return false
	}
	return true
}

// drop closes the connection without an answer, as a network failure would.
func drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Not hijackable (HTTP/2, a recorder): abort the handler, which net/http turns into a
	// reset stream or a closed connection.
	panic(http.ErrAbortHandler)
}

// MarshalJSON writes durations as Go duration strings ("50ms"), easier to set by hand.
func (f Faults) MarshalJSON() ([]byte, error) {
	type plain Faults
	return json.Marshal(struct {
		plain
		RetryAfter string `json:"retryAfter,omitempty"`
		MinLatency string `json:"minLatency,omitempty"`
		MaxLatency string `json:"maxLatency,omitempty"`
	}{plain(f), durationText(f.RetryAfter), durationText(f.MinLatency), durationText(f.MaxLatency)})
}

// UnmarshalJSON reads durations as Go duration strings.
func (f *Faults) UnmarshalJSON(b []byte) error {
	type plain Faults
	var v struct {
		plain
		RetryAfter string `json:"retryAfter"`
		MinLatency string `json:"minLatency"`
		MaxLatency string `json:"maxLatency"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = Faults(v.plain)
	for _, d := range []struct {
		text string
		dst  *time.Duration
		name string
	}{{v.RetryAfter, &f.RetryAfter, "retryAfter"}, {v.MinLatency, &f.MinLatency, "minLatency"}, {v.MaxLatency, &f.MaxLatency, "maxLatency"}} {
		if d.text == "" {
			*d.dst = 0
			continue
		}
		parsed, err := time.ParseDuration(d.text)
		if err != nil {
			return fmt.Errorf("faults %s %q: want a duration such as 50ms", d.name, d.text)
		}
		*d.dst = parsed
	}
	return nil
}

func durationText(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}
