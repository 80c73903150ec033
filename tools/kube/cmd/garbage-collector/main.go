// Command garbage-collector runs Kubernetes' garbage collector controller
// (k8s.io/kubernetes/pkg/controller/garbagecollector, the code
// kube-controller-manager runs) and nothing else, for the e2e control plane
// (hack/e2e-cluster.sh), where the garbage collector is the only controller
// of kube-controller-manager's that composed resources need: it deletes what
// an XR owns once the XR is gone.
//
// Why not kube-controller-manager itself: it compiles about 360 packages more
// than kube-apiserver for controllers the e2e suite never runs, two to three
// minutes of a cold CI run on 2 cores. The wiring below follows
// kube-controller-manager v1.35's (cmd/kube-controller-manager/app:
// CreateControllerContext and newGarbageCollectorController) with its
// defaults: the default ignored resources, 20 workers, a 30 s sync period,
// a 12-24 h informer resync, twice the client's QPS, managedFields trimmed
// from informer caches, and a RESTMapper reset every 30 s.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/controller-manager/pkg/informerfactory"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/controller/garbagecollector"
)

const (
	// kube-controller-manager's defaults (--kube-api-qps, --kube-api-burst,
	// --concurrent-gc-syncs, --min-resync-period).
	qps             = 20
	burst           = 30
	workers         = 20
	minResyncPeriod = 12 * time.Hour
	// newGarbageCollectorController's sync period, and the RESTMapper's reset.
	syncPeriod = 30 * time.Second
)

func main() {
	klog.InitFlags(nil)
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the API server")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *kubeconfig); err != nil {
		klog.ErrorS(err, "garbage collector failed")
		os.Exit(1)
	}
}

func run(ctx context.Context, kubeconfig string) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return fmt.Errorf("cannot load kubeconfig %q: %w", kubeconfig, err)
	}
	cfg.QPS, cfg.Burst = qps, burst
	cfg.UserAgent = "garbage-collector"
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("cannot create a client: %w", err)
	}
	gcCfg := *cfg
	// Each deletion takes two calls: twice the QPS gives |QPS| deletions.
	gcCfg.QPS *= 2
	gcMetadata, err := metadata.NewForConfig(&gcCfg)
	if err != nil {
		return fmt.Errorf("cannot create the garbage collector's metadata client: %w", err)
	}
	informerMetadata, err := metadata.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("cannot create the informers' metadata client: %w", err)
	}

	trim := func(obj any) (any, error) {
		if a, err := meta.Accessor(obj); err == nil && a.GetManagedFields() != nil {
			a.SetManagedFields(nil)
		}
		return obj, nil
	}
	resync := time.Duration(float64(minResyncPeriod) * (rand.Float64() + 1))
	shared := informers.NewSharedInformerFactoryWithOptions(client, resync, informers.WithTransform(trim))
	metadataInformers := metadatainformer.NewSharedInformerFactoryWithOptions(informerMetadata, resync, metadatainformer.WithTransform(trim))
	factory := informerfactory.NewInformerFactory(shared, metadataInformers)

	restMapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(client.Discovery()))
	go wait.Until(restMapper.Reset, syncPeriod, ctx.Done())

	informersStarted := make(chan struct{})
	gc, err := garbagecollector.NewGarbageCollector(ctx, client, gcMetadata, restMapper, garbagecollector.DefaultIgnoredResources(), factory, informersStarted)
	if err != nil {
		return fmt.Errorf("cannot create the garbage collector: %w", err)
	}
	factory.Start(ctx.Done())
	close(informersStarted)

	go gc.Run(ctx, workers, syncPeriod)
	go gc.Sync(ctx, client.Discovery(), syncPeriod)
	klog.InfoS("garbage collector started", "workers", workers, "syncPeriod", syncPeriod)
	<-ctx.Done()
	return nil
}
