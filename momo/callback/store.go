package callback

import (
	"context"
	"sync"
)

// Store remembers which final results Handler has handed on. Keys are opaque strings made of
// the reference and the final status. A Store shared by several instances makes repeats
// across them rare; it needs no atomic claim, since within one instance Handler serialises
// the callbacks of a reference itself.
type Store interface {
	// Seen reports whether key was remembered.
	Seen(ctx context.Context, key string) (bool, error)
	// Remember records key. Keeping it for a few days covers MoMo's redeliveries.
	Remember(ctx context.Context, key string) error
}

// DefaultRemembered is how many final results a MemoryStore from NewMemoryStore(0) keeps.
const DefaultRemembered = 10000

// MemoryStore is a Store in memory that keeps the most recent keys up to a bound, forgetting
// the oldest first. Safe for concurrent use.
type MemoryStore struct {
	mu    sync.Mutex
	keys  map[string]struct{}
	order []string // a ring of the keys, oldest at next once full
	next  int
}

// NewMemoryStore returns a MemoryStore that keeps at most max keys (DefaultRemembered when
// max is 0 or less).
func NewMemoryStore(max int) *MemoryStore {
	if max <= 0 {
		max = DefaultRemembered
	}
	return &MemoryStore{keys: make(map[string]struct{}), order: make([]string, 0, max)}
}

// Seen reports whether key is among the keys kept.
func (m *MemoryStore) Seen(_ context.Context, key string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.keys[key]
	return ok, nil
}

// Remember keeps key, forgetting the oldest key when the store is full.
func (m *MemoryStore) Remember(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.keys[key]; ok {
		return nil
	}
	if len(m.order) < cap(m.order) {
		m.order = append(m.order, key)
	} else {
		delete(m.keys, m.order[m.next])
		m.order[m.next] = key
		m.next = (m.next + 1) % len(m.order)
	}
	m.keys[key] = struct{}{}
	return nil
}

// Len returns how many keys are kept.
func (m *MemoryStore) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}
