package engine

import (
	"context"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
)

// BenchmarkEngineStart measures a start until a client holding the engine's
// certificate is served (ms/start; the stop is outside it): on a fresh data folder
// (schema and certificates made) and on a restart of a kept one.
// Run: go test -run '^$' -bench EngineStart -benchtime 5x ./internal/engine
func BenchmarkEngineStart(b *testing.B) {
	b.Run("fresh", func(b *testing.B) {
		var total time.Duration
		for range b.N {
			total += startServed(b, b.TempDir())
		}
		b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/start")
	})
	b.Run("restart", func(b *testing.B) {
		dir := b.TempDir()
		startServed(b, dir)
		var total time.Duration
		for range b.N {
			total += startServed(b, dir)
		}
		b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/start")
	})
}

// startServed starts an engine in dir, waits for a TLS client's health check, and
// stops it; it returns the time until the check answered.
func startServed(b *testing.B, dir string) time.Duration {
	b.Helper()
	t0 := time.Now()
	e, err := Start(Options{DataDir: dir, Addr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := dialTLS(ctx, e)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if _, err := c.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		b.Fatal(err)
	}
	return time.Since(t0)
}
