// Command xrds writes the two XRDs of apis/ from the one schema source,
// apis/schema.yaml, so a field of the XAuroraCluster API is written once:
//
//   - apis/namespaced/definition.yaml: the Crossplane v2 (namespaced) XRD;
//   - apis/legacy/definition.yaml: the Crossplane v1 XRD with the
//     AuroraCluster claim, without spec.writeConnectionSecretToRef (Crossplane
//     adds that field to legacy XRs and claims itself).
//
// Each XRD is its header (headers.go: everything up to openAPIV3Schema, with
// the comments and additionalPrinterColumns) followed by the schema text
// verbatim, indented under openAPIV3Schema. The schema is spliced as text,
// not re-marshalled, so its formatting (folded descriptions, flow-style
// lists, quoted patterns) is kept as written.
//
// Usage, from the repository root (`make generate` and
// `make verify-generated` run it):
//
//	go run ./internal/gen/xrds           # write the XRDs
//	go run ./internal/gen/xrds -verify   # write nothing; fail if an XRD differs from what it would write
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	root := flag.String("root", ".", "the repository root")
	verify := flag.Bool("verify", false, "write nothing; fail if an XRD differs from what would be written")
	flag.Parse()
	if err := run(*root, *verify); err != nil {
		fmt.Fprintln(os.Stderr, "xrds:", err)
		os.Exit(1)
	}
}

func run(root string, verify bool) error {
	schema, err := os.ReadFile(filepath.Join(root, schemaPath))
	if err != nil {
		return err
	}
	out, err := generate(schema)
	if err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	var stale []string
	for _, v := range variants {
		path := filepath.Join(root, v.path)
		have, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			return err
		}
		if bytes.Equal(have, out[v.path]) {
			continue
		}
		if verify {
			stale = append(stale, v.path)
			continue
		}
		if err := os.WriteFile(path, out[v.path], 0o644); err != nil {
			return err
		}
	}
	if len(stale) > 0 {
		return fmt.Errorf("%s: not what %s generates (edit %s, not the XRDs, then run make generate)", strings.Join(stale, ", "), schemaPath, schemaPath)
	}
	return nil
}
