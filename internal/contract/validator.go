package contract

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// Validator checks requests and responses against a set of OpenAPI documents.
type Validator struct {
	docs []*document

	mu         sync.Mutex
	violations []Violation
	stats      Stats
	seen       map[string]bool // "<document> <operation>" of traffic routed to an operation
}

// document is one loaded OpenAPI document with its router and the
// kin-openapi options to validate its traffic with.
type document struct {
	name       string
	router     routers.Router
	options    *openapi3filter.Options
	operations []string // operationIds (or "METHOD path" where none), sorted
}

// Stats counts the traffic seen by Transport and Middleware.
type Stats struct {
	Requests   int // requests validated
	Responses  int // responses validated
	Violations int // violations recorded
}

// Violation is one request or response that broke the contract.
type Violation struct {
	Side      string // "request" or "response"
	Method    string // HTTP method of the request
	Path      string // URL path of the request
	Status    int    // response status; 0 for request violations
	Operation string // operationId when the request matched an operation
	Err       error  // every problem found, usually an *Error
}

// String renders the violation on one line for test failure messages.
func (v Violation) String() string {
	var b strings.Builder
	b.WriteString(v.Side)
	b.WriteByte(' ')
	b.WriteString(v.Method)
	b.WriteByte(' ')
	b.WriteString(v.Path)
	if v.Side == SideResponse {
		fmt.Fprintf(&b, " -> %d", v.Status)
	}
	if v.Err != nil {
		b.WriteString(": ")
		b.WriteString(v.Err.Error())
	}
	return b.String()
}

// Sides of a Violation.
const (
	SideRequest  = "request"
	SideResponse = "response"
)

// New loads the named documents from fsys (e.g. "momo/collection.yaml") and builds one router per document.
func New(fsys fs.FS, docs ...string) (*Validator, error) {
	if len(docs) == 0 {
		return nil, fmt.Errorf("contract: no documents given")
	}
	v := &Validator{}
	for _, name := range docs {
		d, err := load(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("contract: %s: %w", name, err)
		}
		v.docs = append(v.docs, d)
	}
	return v, nil
}

// load reads one document, resolving its external $refs relative to it
// inside fsys, and rejects it unless kin-openapi finds it valid: an invalid
// document would make every later verdict meaningless.
func load(fsys fs.FS, name string) (*document, error) {
	loader := openapi3.NewLoader()
	loader.Context = context.Background()
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		// A custom reader bypasses IsExternalRefsAllowed, so it must confine
		// itself: only paths inside fsys, never the network or the disk.
		if u.Scheme != "" || u.Host != "" {
			return nil, fmt.Errorf("reference %q leaves the document file system", u)
		}
		p := strings.TrimPrefix(path.Clean(u.Path), "/")
		if !fs.ValidPath(p) {
			return nil, fmt.Errorf("reference %q leaves the document file system", u)
		}
		return fs.ReadFile(fsys, p)
	}
	doc, err := loader.LoadFromURI(&url.URL{Path: name})
	if err != nil {
		return nil, fmt.Errorf("loading: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("invalid document: %w", err)
	}
	doc.Servers = pathOnlyServers(doc.Servers)
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("building router: %w", err)
	}
	var ops []string
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.OperationID != "" {
				ops = append(ops, op.OperationID)
			} else {
				ops = append(ops, method+" "+p)
			}
		}
	}
	sort.Strings(ops)
	return &document{name: name, router: router, options: newOptions(doc), operations: ops}, nil
}

// pathOnlyServers rewrites server URLs to their path parts, so that routing
// depends on the base path alone: the documents name the provider's hosts,
// while tests and simulators listen on 127.0.0.1 with an arbitrary port.
func pathOnlyServers(servers openapi3.Servers) openapi3.Servers {
	if len(servers) == 0 {
		return servers
	}
	seen := make(map[string]bool, len(servers))
	out := make(openapi3.Servers, 0, len(servers))
	for _, s := range servers {
		p := serverPath(s.URL, s.Variables)
		if seen[p] {
			continue
		}
		seen[p] = true
		ns := &openapi3.Server{URL: p, Description: s.Description, Extensions: s.Extensions}
		// Variables of the dropped scheme and host would now be unused,
		// which kin-openapi rejects.
		for name, sv := range s.Variables {
			if strings.Contains(p, "{"+name+"}") {
				if ns.Variables == nil {
					ns.Variables = make(openapi3.ServerVariables)
				}
				ns.Variables[name] = sv
			}
		}
		out = append(out, ns)
	}
	return out
}

// serverPath returns the path of a server URL template without a trailing
// slash, or "/" when it has none. Variables standing before the path (in the
// host, or covering the whole URL like a callback's "{callbackUrl}") are
// replaced by their defaults, whose path part is all routing can use;
// variables inside the path stay. It works on the raw template because
// net/url rejects braces in a host.
func serverPath(raw string, vars openapi3.ServerVariables) string {
	if strings.HasPrefix(raw, "/") && !strings.HasPrefix(raw, "//") {
		return cleanPath(raw)
	}
	var head strings.Builder // the template expanded up to the start of the path
	rest := raw
	for rest != "" {
		if i := pathStart(head.String()); i >= 0 {
			return cleanPath(head.String()[i:] + rest)
		}
		if rest[0] == '{' {
			if end := strings.IndexByte(rest, '}'); end > 0 {
				if sv := vars[rest[1:end]]; sv != nil {
					head.WriteString(sv.Default)
				}
				rest = rest[end+1:]
				continue
			}
		}
		head.WriteByte(rest[0])
		rest = rest[1:]
	}
	if i := pathStart(head.String()); i >= 0 {
		return cleanPath(head.String()[i:])
	}
	if strings.Contains(head.String(), "//") {
		return "/" // scheme and host only
	}
	return cleanPath(head.String()) // relative, like "collection"
}

// pathStart returns the index of the path in an absolute URL (or one with
// only "//host"), or -1 while the host has not ended yet.
func pathStart(s string) int {
	i := strings.Index(s, "//")
	if i < 0 || strings.Contains(s[:i], "/") {
		return -1
	}
	if j := strings.IndexByte(s[i+2:], '/'); j >= 0 {
		return i + 2 + j
	}
	return -1
}

// cleanPath drops query, fragment and trailing slashes and makes the path absolute.
func cleanPath(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	p = strings.TrimRight(p, "/")
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

// match is a request routed to an operation of one document.
type match struct {
	doc    *document
	route  *routers.Route
	params map[string]string
}

// operation names the matched operation, by operationId when it has one.
func (m *match) operation() string {
	if id := m.route.Operation.OperationID; id != "" {
		return id
	}
	return m.route.Method + " " + m.route.Path
}

// find routes req to the first document declaring its method and path.
func (v *Validator) find(req *http.Request) (*match, error) {
	// Routing sees only the path: the legacy router matches servers against
	// the whole URL, which on the client side carries scheme and host.
	r := &http.Request{
		Method: req.Method,
		URL:    &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath},
	}
	for _, d := range v.docs {
		route, params, err := d.router.FindRoute(r)
		if err == nil && sameTrailingSlash(route.Path, req.URL.Path) {
			return &match{doc: d, route: route, params: params}, nil
		}
	}
	return nil, &Error{Problems: []string{fmt.Sprintf("no operation for %s %s", req.Method, req.URL.Path)}}
}

// sameTrailingSlash reports whether the request path ends in a slash exactly when the
// operation's path does. The legacy router ignores trailing slashes, but gateways do not:
// MoMo answers POST /collection/token (no slash) with a redirect, not a token. A document
// path of "/" stands for the server URL itself and matches either way.
func sameTrailingSlash(template, path string) bool {
	if template == "/" {
		return true
	}
	return strings.HasSuffix(template, "/") == strings.HasSuffix(path, "/")
}

// record stores a violation of the traffic observed by Transport or Middleware.
func (v *Validator) record(viol Violation) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.violations = append(v.violations, viol)
	v.stats.Violations++
}

func (v *Validator) countRequest() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.stats.Requests++
}

func (v *Validator) countResponse() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.stats.Responses++
}

// Violations returns the violations recorded by Transport and Middleware, in order.
func (v *Validator) Violations() []Violation {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]Violation(nil), v.violations...)
}

// Stats returns how much traffic Transport and Middleware have validated.
func (v *Validator) Stats() Stats {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.stats
}

// Reset forgets recorded violations and counts, e.g. between subtests.
func (v *Validator) Reset() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.violations = nil
	v.stats = Stats{}
	v.seen = nil
}

// Operations lists the operations of the loaded documents as "<document> <operationId>",
// sorted, so that a test can tell which of them its traffic reached.
func (v *Validator) Operations() []string {
	var out []string
	for _, d := range v.docs {
		for _, op := range d.operations {
			out = append(out, d.name+" "+op)
		}
	}
	sort.Strings(out)
	return out
}

// OperationIDs lists the operationIds of the loaded documents, sorted, without the document
// names that Operations adds.
func (v *Validator) OperationIDs() []string {
	var out []string
	for _, d := range v.docs {
		out = append(out, d.operations...)
	}
	sort.Strings(out)
	return out
}

// Missed lists the operations (as Operations names them) that no request seen by
// Transport or Middleware reached.
func (v *Validator) Missed() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []string
	for _, op := range v.Operations() {
		if !v.seen[op] {
			out = append(out, op)
		}
	}
	return out
}

// Report lists the recorded violations, one per line, for a failing test's message.
func (v *Validator) Report() string {
	var b strings.Builder
	for _, viol := range v.Violations() {
		b.WriteString(viol.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// see records that traffic reached m's operation.
func (v *Validator) see(m *match) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen == nil {
		v.seen = map[string]bool{}
	}
	v.seen[m.doc.name+" "+m.operation()] = true
}
