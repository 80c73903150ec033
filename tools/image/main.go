// Command image builds and inspects container images without Docker, with
// go-containerregistry. hack/package.sh uses it.
//
//	image build -binary FILE -tag REF -o FILE.tar
//	    writes the function's runtime image as an image tarball: the static
//	    binary as /function (root-owned, 0755) in a single layer on an empty
//	    base, entrypoint /function, user 65532:65532 (distroless's nonroot),
//	    port 9443/tcp. The same image the Dockerfile builds, less distroless's
//	    files, which a static binary that dials nothing does not need.
//
//	image inspect FILE
//	    prints an image tarball's (or .xpkg's) config and, for a Crossplane
//	    package, its package.yaml, one fact per line (key=value), for scripts
//	    to check with grep.
package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"sigs.k8s.io/yaml"
)

const (
	entrypoint = "/function"
	user       = "65532:65532"
	port       = "9443/tcp"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: image build|inspect ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "build":
		err = build(os.Args[2:])
	case "inspect":
		if len(os.Args) != 3 {
			err = errors.New("usage: image inspect FILE")
			break
		}
		err = inspect(os.Args[2], os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "image %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func build(args []string) error {
	fs := flag.NewFlagSet("build", flag.ExitOnError)
	binary := fs.String("binary", "", "static binary to run")
	tag := fs.String("tag", "", "image reference recorded in the tarball")
	out := fs.String("o", "", "image tarball to write")
	arch := fs.String("arch", runtime.GOARCH, "architecture of the binary")
	source := fs.String("source", "", "org.opencontainers.image.source label")
	version := fs.String("version", "", "org.opencontainers.image.version label")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *binary == "" || *tag == "" || *out == "" {
		return errors.New("-binary, -tag and -o are required")
	}
	bin, err := os.ReadFile(*binary)
	if err != nil {
		return err
	}
	// One layer: /function. Fixed times and owners make the image
	// reproducible: the same binary gives the same digest.
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	epoch := time.Unix(0, 0).UTC()
	if err := tw.WriteHeader(&tar.Header{Name: strings.TrimPrefix(entrypoint, "/"), Mode: 0o755, Size: int64(len(bin)), ModTime: epoch, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return err
	}
	if _, err := tw.Write(bin); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(buf.Bytes())), nil
	})
	if err != nil {
		return err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", *arch
	cfg.Created = v1.Time{Time: epoch}
	cfg.Config.Entrypoint = []string{entrypoint}
	cfg.Config.User = user
	cfg.Config.WorkingDir = "/"
	cfg.Config.ExposedPorts = map[string]struct{}{port: {}}
	cfg.Config.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
	cfg.Config.Labels = map[string]string{}
	if *source != "" {
		cfg.Config.Labels["org.opencontainers.image.source"] = *source
	}
	if *version != "" {
		cfg.Config.Labels["org.opencontainers.image.version"] = *version
	}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return err
	}
	ref, err := name.NewTag(*tag)
	if err != nil {
		return err
	}
	if err := tarball.WriteToFile(*out, ref, img); err != nil {
		return err
	}
	d, err := img.Digest()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%s, %d bytes binary)\n", *out, d, len(bin))
	return nil
}

func inspect(path string, w io.Writer) error {
	img, err := tarball.ImageFromPath(path, nil)
	if err != nil {
		return err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return err
	}
	c := cf.Config
	fmt.Fprintf(w, "os=%s\narch=%s\n", cf.OS, cf.Architecture)
	fmt.Fprintf(w, "entrypoint=%s\n", strings.Join(c.Entrypoint, " "))
	fmt.Fprintf(w, "cmd=%s\n", strings.Join(c.Cmd, " "))
	fmt.Fprintf(w, "user=%s\n", c.User)
	fmt.Fprintf(w, "workdir=%s\n", c.WorkingDir)
	for _, p := range sortedKeys(c.ExposedPorts) {
		fmt.Fprintf(w, "port=%s\n", p)
	}
	for _, k := range sortedKeys(c.Labels) {
		fmt.Fprintf(w, "label.%s=%s\n", k, c.Labels[k])
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "layers=%d\n", len(layers))
	m, err := img.Manifest()
	if err != nil {
		return err
	}
	for i, l := range m.Layers {
		if a := l.Annotations["io.crossplane.xpkg"]; a != "" {
			fmt.Fprintf(w, "layer.%d.xpkg=%s\n", i, a)
		}
	}
	for _, l := range layers {
		files, err := layerFiles(l)
		if err != nil {
			return err
		}
		for _, f := range sortedKeys(files) {
			fmt.Fprintf(w, "file=/%s\n", f)
		}
		if pkg, ok := files["package.yaml"]; ok {
			if err := describePackage(pkg, w); err != nil {
				return fmt.Errorf("package.yaml: %w", err)
			}
		}
	}
	return nil
}

// layerFiles returns a layer's regular files; the content only of YAML
// files, which are small.
func layerFiles(l v1.Layer) (map[string][]byte, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	out := map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		n := strings.TrimPrefix(h.Name, "/")
		out[n] = nil
		if strings.HasSuffix(n, ".yaml") {
			if out[n], err = io.ReadAll(tr); err != nil {
				return nil, err
			}
		}
	}
}

// describePackage prints the package metadata and the objects a package
// carries.
func describePackage(b []byte, w io.Writer) error {
	for _, doc := range strings.Split(string(b), "\n---") {
		obj := map[string]any{}
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			return err
		}
		if len(obj) == 0 {
			continue
		}
		kind, _ := obj["kind"].(string)
		apiVersion, _ := obj["apiVersion"].(string)
		meta, _ := obj["metadata"].(map[string]any)
		name, _ := meta["name"].(string)
		if !strings.HasPrefix(apiVersion, "meta.pkg.crossplane.io/") {
			fmt.Fprintf(w, "object=%s %s %s\n", apiVersion, kind, name)
			continue
		}
		fmt.Fprintf(w, "package.apiVersion=%s\npackage.kind=%s\npackage.name=%s\n", apiVersion, kind, name)
		spec, _ := obj["spec"].(map[string]any)
		if xp, ok := spec["crossplane"].(map[string]any); ok {
			fmt.Fprintf(w, "package.crossplane=%v\n", xp["version"])
		}
		if caps, ok := spec["capabilities"].([]any); ok {
			for _, c := range caps {
				fmt.Fprintf(w, "package.capability=%v\n", c)
			}
		}
		if deps, ok := spec["dependsOn"].([]any); ok {
			for _, d := range deps {
				m, _ := d.(map[string]any)
				fmt.Fprintf(w, "package.dependsOn=%v %v %v %v\n", m["apiVersion"], m["kind"], m["package"], m["version"])
			}
		}
		for _, k := range sortedKeys(toStrings(meta["annotations"])) {
			if strings.HasPrefix(k, "meta.crossplane.io/") {
				fmt.Fprintf(w, "package.annotation=%s\n", k)
			}
		}
	}
	return nil
}

func toStrings(v any) map[string]string {
	out := map[string]string{}
	m, _ := v.(map[string]any)
	for k, x := range m {
		out[k] = fmt.Sprint(x)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
