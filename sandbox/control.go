package sandbox

import (
	"encoding/json"
	"net/http"
)

// controlPrefix is where the sandbox's own endpoints live; faults never apply there.
const controlPrefix = "/_sandbox/"

// mountControl registers the control endpoints shared by both families.
func (s *Sandbox) mountControl() {
	s.deliver.duplicates = func() bool { return s.faults.get().DuplicateCallbacks }
	s.mux.HandleFunc("GET "+controlPrefix+"{$}", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"ledger":      "GET " + controlPrefix + "ledger",
			"deliveries":  "GET " + controlPrefix + "deliveries",
			"faults":      "GET or PUT " + controlPrefix + "faults",
			"reset":       "POST " + controlPrefix + "reset",
			"credentials": "GET " + controlPrefix + "credentials",
		})
	})
	s.mux.HandleFunc("GET "+controlPrefix+"ledger", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Ledger())
	})
	s.mux.HandleFunc("GET "+controlPrefix+"deliveries", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.Deliveries())
	})
	s.mux.HandleFunc("GET "+controlPrefix+"faults", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.faults.get())
	})
	s.mux.HandleFunc("PUT "+controlPrefix+"faults", func(w http.ResponseWriter, r *http.Request) {
		var f Faults
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if err := s.faults.set(f); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, f)
	})
	s.mux.HandleFunc("POST "+controlPrefix+"reset", func(w http.ResponseWriter, _ *http.Request) {
		s.Reset()
		s.deliver.reset()
		w.WriteHeader(http.StatusNoContent)
	})
	s.mux.HandleFunc("GET "+controlPrefix+"credentials", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, s.opts.creds.reveal())
	})
}

// SetFaults changes the faults of a running sandbox.
func (s *Sandbox) SetFaults(f Faults) error { return s.faults.set(f) }

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
