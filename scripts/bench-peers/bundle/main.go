// Command bundle writes one of the API documents as a single JSON document, with the
// references to its sibling common.yaml copied in, for tools that cannot follow references
// across files (the Prism mock server among them).
//
//	go run ./scripts/bench-peers/bundle momo/collection.yaml > collection.json
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/paykit-go/paykit/api"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: bundle DOCUMENT (e.g. momo/collection.yaml) > bundled.json")
		os.Exit(2)
	}
	if err := bundle(os.Args[1]); err != nil {
		fmt.Fprintf(os.Stderr, "bundle: %v\n", err)
		os.Exit(1)
	}
}

func bundle(name string) error {
	fsys := api.FS()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = true
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		// Only the embedded documents: never the disk or the network.
		p := strings.TrimPrefix(path.Clean(u.Path), "/")
		if u.Scheme != "" || u.Host != "" || !fs.ValidPath(p) {
			return nil, fmt.Errorf("reference %q leaves the documents", u)
		}
		return fs.ReadFile(fsys, p)
	}
	doc, err := loader.LoadFromURI(&url.URL{Path: name})
	if err != nil {
		return fmt.Errorf("load %s: %w", name, err)
	}
	ctx := context.Background()
	doc.InternalizeRefs(ctx, nil)
	if err := doc.Validate(ctx); err != nil {
		return fmt.Errorf("bundled %s is not valid: %w", name, err)
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(append(out, '\n'))
	return err
}
