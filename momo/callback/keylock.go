package callback

import (
	"context"
	"sync"
)

// keyLock is a set of mutexes, one per key in use, that a waiter can give up on when its
// context ends. Entries are removed when nobody holds or waits for them, so the set stays
// as small as the number of callbacks in flight.
type keyLock struct {
	mu sync.Mutex
	m  map[string]*keyEntry
}

type keyEntry struct {
	sem  chan struct{} // holds one token while the key is locked
	refs int           // holders and waiters
}

func newKeyLock() *keyLock { return &keyLock{m: make(map[string]*keyEntry)} }

// lock waits for key, or for ctx to end, and returns the func that unlocks it.
func (k *keyLock) lock(ctx context.Context, key string) (func(), error) {
	k.mu.Lock()
	e := k.m[key]
	if e == nil {
		e = &keyEntry{sem: make(chan struct{}, 1)}
		k.m[key] = e
	}
	e.refs++
	k.mu.Unlock()
	select {
	case e.sem <- struct{}{}:
		return func() {
			<-e.sem
			k.release(key, e)
		}, nil
	case <-ctx.Done():
		k.release(key, e)
		return nil, ctx.Err()
	}
}

func (k *keyLock) release(key string, e *keyEntry) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e.refs--
	if e.refs == 0 {
		delete(k.m, key)
	}
}
