package validate

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// route is one operation a request can be: its method, the trailing segments of its path
// ("*" matches any one segment) and the checks it gets. Matching the end of the path, not
// the whole, keeps the checks working behind a base URL with a path of its own.
type route struct {
	method  string
	pattern []string
	name    string
	// body says whether the operation takes a JSON body, and must have one.
	body, bodyRequired bool
	check              func(c *checker, req *http.Request, params []string)
}

// routes is a table of operations.
type routes []route

// maxPattern bounds the length of a route's pattern, so that matching can look at the last
// segments of a path without building the list of them all.
const maxPattern = 8

// match returns the route req is and the path segments its wildcards matched. It runs on
// every request of a client, most of which have no route, so it allocates nothing until a
// wildcard matches.
func (rs routes) match(req *http.Request) (*route, []string) {
	var buf [maxPattern]string
	segs := lastSegments(req.URL.EscapedPath(), &buf)
	for i := range rs {
		r := &rs[i]
		if r.method != req.Method || len(segs) < len(r.pattern) {
			continue
		}
		tail := segs[len(segs)-len(r.pattern):]
		var params []string
		ok := true
		for j, p := range r.pattern {
			switch {
			case p == "*":
				params = append(params, tail[j])
			case p != tail[j]:
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok {
			return r, params
		}
	}
	return nil, nil
}

// run applies the route's checks to req.
func (r *route) run(req *http.Request, params []string, common func(c *checker, req *http.Request)) error {
	c := checkers.Get().(*checker)
	defer c.release()
	if common != nil {
		common(c, req)
	}
	if r.body {
		raw, err := readBody(req)
		if err != nil {
			return err
		}
		c.parseBody(raw, r.bodyRequired)
	}
	r.check(c, req, params)
	return c.err()
}

// lastSegments returns the last (up to maxPattern) non-empty segments of an escaped path,
// unescaped, in order, kept in buf.
func lastSegments(path string, buf *[maxPattern]string) []string {
	n := 0
	for end := len(path); end > 0 && n < maxPattern; {
		start := strings.LastIndexByte(path[:end], '/') + 1
		seg := path[start:end]
		end = start - 1
		if seg == "" {
			continue
		}
		if strings.IndexByte(seg, '%') >= 0 {
			if un, err := url.PathUnescape(seg); err == nil {
				seg = un
			}
		}
		n++
		buf[maxPattern-n] = seg
	}
	return buf[maxPattern-n:]
}

// checkers keeps checkers between requests: one is taken on every checked call, and its
// room for a body's members is most of what a check would otherwise allocate.
var checkers = sync.Pool{New: func() any { return new(checker) }}

// release empties c, so that it holds on to no body and no problem, and gives it back.
func (c *checker) release() {
	clear(c.errs)
	*c = checker{errs: c.errs[:0]} // the members, and the body they point into, go too
	checkers.Put(c)
}

// pathSegments splits the unescaped path into its non-empty segments.
func pathSegments(u *url.URL) []string {
	var segs []string
	for _, s := range strings.Split(u.EscapedPath(), "/") {
		if s == "" {
			continue
		}
		if un, err := url.PathUnescape(s); err == nil {
			s = un
		}
		segs = append(segs, s)
	}
	return segs
}
