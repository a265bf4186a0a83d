package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// runner runs the steps of one demo and records them. Steps run one after another.
type runner struct {
	cfg    Config
	out    io.Writer
	rcv    *receiver
	report Report
}

// errMismatch marks a step whose answer arrived but differs from what it expected; Got then
// holds that answer. Any other error is shown after Got.
var errMismatch = errors.New("mismatch")

// expect returns got, and errMismatch when ok is false.
func expect(ok bool, got string) (string, error) {
	if ok {
		return got, nil
	}
	return got, errMismatch
}

// httpResult describes an answer that was not the expected one: its status and the start
// of its body (API error bodies hold codes and messages, never credentials).
func httpResult(status int, body []byte) string {
	b := strings.Join(strings.Fields(string(body)), " ")
	if b == "" {
		return fmt.Sprintf("HTTP %d", status)
	}
	return fmt.Sprintf("HTTP %d %s", status, clip(b, 160))
}

// expectStatus checks an HTTP status; on a mismatch, got describes the answer.
func expectStatus(status int, body []byte, want int, ok string) (string, error) {
	if status == want {
		return ok, nil
	}
	return httpResult(status, body), errMismatch
}

// step runs fn as one step of family and records it. fn returns what it got and nil when
// that meets expect. step reports whether it did; a flow stops at the first step that
// did not.
func (r *runner) step(ctx context.Context, family, name, api, expect string, fn func(ctx context.Context) (string, error)) bool {
	start := time.Now()
	got, err := fn(ctx)
	s := Step{Family: family, Name: name, API: api, Expect: expect, Got: got, OK: err == nil, Duration: time.Since(start)}
	if err != nil && !errors.Is(err, errMismatch) {
		if got != "" {
			s.Got = got + ": " + err.Error()
		} else {
			s.Got = err.Error()
		}
	}
	r.report.Steps = append(r.report.Steps, s)
	r.printStep(len(r.report.Steps), s)
	return s.OK
}

// fail records a step that could not even start, such as wiring clients from a bad
// configuration.
func (r *runner) fail(family, name, api, expect string, err error) {
	s := Step{Family: family, Name: name, API: api, Expect: expect, Got: err.Error()}
	r.report.Steps = append(r.report.Steps, s)
	r.printStep(len(r.report.Steps), s)
}

// final records the final state of something the demo created.
func (r *runner) final(what, id, state string) {
	r.report.Final = append(r.report.Final, Final{What: what, ID: id, State: state})
}

// waitCtx bounds one wait for an asynchronous result.
func (r *runner) waitCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, r.cfg.WaitTimeout)
}

// poll calls check until it reports done, backing off from 25 ms to 500 ms between calls,
// and gives up when ctx ends. It returns the last result check gave and, on giving up,
// an error saying how long it waited.
func poll(ctx context.Context, check func(ctx context.Context) (got string, done bool, err error)) (string, error) {
	start := time.Now()
	wait := 25 * time.Millisecond
	var last string
	for {
		got, done, err := check(ctx)
		if err != nil {
			if ctx.Err() != nil && last != "" {
				return last, fmt.Errorf("still %s after %v", last, time.Since(start).Round(time.Millisecond))
			}
			return got, err
		}
		last = got
		if done {
			return got, nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return last, fmt.Errorf("still %s after %v", last, time.Since(start).Round(time.Millisecond))
		case <-t.C:
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// clip shortens s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
