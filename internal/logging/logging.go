// Package logging builds the zap logger taskrelay uses everywhere and adapts it to
// the Temporal SDK's logger interface.
package logging

import (
	"fmt"
	"os"

	"taskrelay/internal/config"

	"go.temporal.io/sdk/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// New returns a console logger at the given level (debug, info, warn, error).
func New(level string) (*zap.Logger, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, fmt.Errorf("log level %q: %w", level, err)
	}
	cfg := zap.NewDevelopmentConfig()
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	cfg.DisableStacktrace = true
	cfg.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	return cfg.Build()
}

// SDK adapts a zap logger to the Temporal SDK.
func SDK(z *zap.Logger) log.Logger { return sdkLogger{z.WithOptions(zap.AddCallerSkip(1)).Sugar()} }

type sdkLogger struct{ s *zap.SugaredLogger }

func (l sdkLogger) Debug(msg string, kv ...interface{}) { l.s.Debugw(msg, kv...) }
func (l sdkLogger) Info(msg string, kv ...interface{})  { l.s.Infow(msg, kv...) }
func (l sdkLogger) Warn(msg string, kv ...interface{})  { l.s.Warnw(msg, kv...) }
func (l sdkLogger) Error(msg string, kv ...interface{}) { l.s.Errorw(msg, kv...) }

// With keeps the SDK's structured context.
func (l sdkLogger) With(kv ...interface{}) log.Logger { return sdkLogger{l.s.With(kv...)} }

// Main runs the body of a process (the worker, the console) with the configuration
// read from the environment and a logger at its level; an error is printed with the
// process's name and exits 1.
func Main(name string, run func(cfg config.Config, log *zap.Logger) error) {
	if err := mainErr(run); err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

func mainErr(run func(cfg config.Config, log *zap.Logger) error) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	log, err := New(cfg.LogLevel)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	return run(cfg, log)
}
