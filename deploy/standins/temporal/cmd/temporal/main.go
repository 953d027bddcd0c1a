// Command temporal is a TEST STAND-IN for the Temporal CLI inside the
// temporalio/admin-tools stand-in image: it implements only what the compose
// file runs, `temporal operator namespace create`, with the same flags and the
// same "already exists" wording. Users pull the real image.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/durationpb"
)

func main() {
	args := os.Args[1:]
	if len(args) < 3 || args[0] != "operator" || args[1] != "namespace" || args[2] != "create" {
		fmt.Fprintln(os.Stderr, "stand-in temporal CLI: only `temporal operator namespace create` is implemented")
		os.Exit(2)
	}
	fs := flag.NewFlagSet("create", flag.ExitOnError)
	ns := fs.String("namespace", "", "namespace")
	retention := fs.String("retention", "72h", "retention (Go duration or Nd)")
	addr := fs.String("address", os.Getenv("TEMPORAL_ADDRESS"), "host:port")
	cert := fs.String("tls-cert-path", "", "")
	key := fs.String("tls-key-path", "", "")
	ca := fs.String("tls-ca-path", "", "")
	sn := fs.String("tls-server-name", "", "")
	_ = fs.Parse(args[3:])
	if *ns == "" {
		fmt.Fprintln(os.Stderr, "--namespace is required")
		os.Exit(2)
	}
	if err := create(*addr, *ns, *retention, *cert, *key, *ca, *sn); err != nil {
		var exists *serviceerror.NamespaceAlreadyExists
		if errors.As(err, &exists) {
			fmt.Fprintf(os.Stderr, "Namespace %s already exists\n", *ns)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("Namespace %s successfully registered.\n", *ns)
}

func retentionOf(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(d, "%d", &n); err != nil {
			return 0, fmt.Errorf("retention %q: %w", s, err)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

func create(addr, ns, retention, cert, key, ca, serverName string) error {
	ret, err := retentionOf(retention)
	if err != nil {
		return err
	}
	creds := insecure.NewCredentials()
	if cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return err
		}
		pool := x509.NewCertPool()
		if ca != "" {
			pem, err := os.ReadFile(ca)
			if err != nil {
				return err
			}
			pool.AppendCertsFromPEM(pem)
		}
		creds = credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{pair}, RootCAs: pool, ServerName: serverName, MinVersion: tls.VersionTLS12})
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = workflowservice.NewWorkflowServiceClient(conn).RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace:                        ns,
		WorkflowExecutionRetentionPeriod: durationpb.New(ret),
	})
	return err
}
