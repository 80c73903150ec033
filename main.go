// Package main implements function-aurora-postgres, a Crossplane composition
// function that composes a production Aurora PostgreSQL cluster.
package main

import (
	"time"

	"github.com/alecthomas/kong"

	"github.com/crossplane/function-sdk-go"
)

// CLI of this Function.
type CLI struct {
	Debug bool `help:"Emit debug logs in addition to info logs." short:"d"`

	Network            string `default:"tcp"                            help:"Network on which to listen for gRPC connections."`
	Address            string `default:":9443"                          help:"Address at which to listen for gRPC connections."`
	TLSCertsDir        string `env:"TLS_SERVER_CERTS_DIR"               help:"Directory containing server certs (tls.key, tls.crt) and the CA used to verify client certificates (ca.crt)"`
	Insecure           bool   `help:"Run without mTLS credentials. If you supply this flag --tls-server-certs-dir will be ignored."`
	MaxRecvMessageSize int    `default:"4"                              help:"Maximum size of received messages in MB."`
	MetricsAddress     string `default:":8080"                          help:"Address of the Prometheus metrics server; empty turns it off."`

	SteadyStateTTL time.Duration `default:"${steady_state_ttl}" help:"How soon Crossplane calls the function again for an Available XR if nothing changes (changes of the XR and its composed resources call it at once)."`
	WaitingTTL     time.Duration `default:"${waiting_ttl}"      help:"The same for an XR that is not Available yet: it may wait for something Crossplane does not watch, such as passwordSecretRef's Secret."`
}

// Run this Function.
func (c *CLI) Run() error {
	log, err := function.NewLogger(c.Debug)
	if err != nil {
		return err
	}
	ttl := responseTTLs{steady: c.SteadyStateTTL, waiting: c.WaitingTTL}
	if err := ttl.validate(); err != nil {
		return err
	}
	if err := registerTypes(); err != nil {
		return err
	}
	return function.Serve(&Function{log: log, ttl: ttl},
		function.Listen(c.Network, c.Address),
		function.MTLSCertificates(c.TLSCertsDir),
		function.Insecure(c.Insecure),
		function.MaxRecvMessageSize(c.MaxRecvMessageSize*1024*1024),
		function.WithMetricsServer(c.MetricsAddress))
}

func main() {
	ctx := kong.Parse(&CLI{},
		kong.Description("A Crossplane composition function that composes a production Aurora PostgreSQL cluster."),
		kong.Vars{"steady_state_ttl": defaultTTLs.steady.String(), "waiting_ttl": defaultTTLs.waiting.String()})
	ctx.FatalIfErrorf(ctx.Run())
}
