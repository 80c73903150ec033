// Command genrefs writes internal/fakeprovider/zz_generated_references.go:
// every reference selector of each composed kind as provider-aws's own
// generated resolvers resolve it (awsrefs.Probe). It lives in the e2e module,
// which links provider-aws anyway, so that the root module's tests resolve
// references from the table without compiling provider-aws and upjet.
//
// Run it from e2e/ (make generate does): go run ./cmd/genrefs [-verify].
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/function-aurora-postgres/function-aurora-postgres/e2e/internal/awsrefs"
)

func main() {
	root := flag.String("root", "..", "the repository's root")
	verify := flag.Bool("verify", false, "fail if the table differs from what the resolvers give, instead of writing it")
	flag.Parse()
	if err := run(*root, *verify); err != nil {
		fmt.Fprintln(os.Stderr, "genrefs:", err)
		os.Exit(1)
	}
}

func run(root string, verify bool) error {
	kinds, err := os.ReadFile(filepath.Join(root, awsrefs.KindsFile))
	if err != nil {
		return err
	}
	src, err := awsrefs.Generate(kinds)
	if err != nil {
		return err
	}
	path := filepath.Join(root, awsrefs.Generated)
	if !verify {
		return os.WriteFile(path, src, 0o644)
	}
	cur, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(cur, src) {
		return fmt.Errorf("%s differs from what provider-aws's resolvers give: run make generate", awsrefs.Generated)
	}
	return nil
}
