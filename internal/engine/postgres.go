package engine

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	"go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
)

// PostgresShards is the number of history shards on PostgreSQL. It is fixed when the
// database is first created (a later change is refused by the server), so it is not a
// setting; several shards let history writes of different tasks proceed in parallel.
const PostgresShards = 4

// postgresStores turns postgres://user:pass@host:port/db?attrs into the two databases
// Temporal needs: db for executions and db_visibility for the visibility store (the
// same split as Temporal's own deployments: temporal and temporal_visibility). Query
// parameters (sslmode, sslrootcert …) are passed to the driver.
func postgresStores(raw string) (store, visibility *config.SQL, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("TASKRELAY_ENGINE_DB: %w", err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return nil, nil, fmt.Errorf("TASKRELAY_ENGINE_DB: want postgres://user:pass@host:port/db, got scheme %q", u.Scheme)
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" || strings.Contains(db, "/") {
		return nil, nil, errors.New("TASKRELAY_ENGINE_DB: want postgres://user:pass@host:port/db, the database name is missing")
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "5432")
	}
	if u.Hostname() == "" {
		return nil, nil, errors.New("TASKRELAY_ENGINE_DB: the host is missing")
	}
	pass, _ := u.User.Password()
	attrs := map[string]string{}
	for k, v := range u.Query() {
		attrs[k] = v[len(v)-1]
	}
	mk := func(name string) *config.SQL {
		a := make(map[string]string, len(attrs))
		for k, v := range attrs {
			a[k] = v
		}
		return &config.SQL{
			PluginName:        postgresql.PluginNamePGX,
			DatabaseName:      name,
			ConnectAddr:       host,
			ConnectProtocol:   "tcp",
			User:              u.User.Username(),
			Password:          pass,
			ConnectAttributes: a,
			// Four services share the database; bound each store's pool so that
			// several engines fit in a server's default 100 connections.
			MaxConns:     20,
			MaxIdleConns: 20,
		}
	}
	return mk(db), mk(db + "_visibility"), nil
}

// PreparePostgres creates or upgrades the schemas of a PostgreSQL store without
// starting an engine (Start does the same itself).
func PreparePostgres(dbURL string) error {
	store, visibility, err := postgresStores(dbURL)
	if err != nil {
		return err
	}
	return ensurePostgresSchema(store, visibility)
}

// ensurePostgresSchema creates both databases when missing and brings their schemas
// to the versions this server needs, with the server's own schema tool (what
// `temporal-sql-tool create-database`, `setup-schema -v 0.0` and `update-schema`
// do), so the first start creates and a start after an upgrade migrates.
func ensurePostgresSchema(store, visibility *config.SQL) error {
	for _, s := range []struct {
		cfg    *config.SQL
		schema string
	}{
		{store, "postgresql/v12/temporal"},
		{visibility, "postgresql/v12/visibility"},
	} {
		if err := migrate(s.cfg, s.schema, ""); err != nil {
			return err
		}
	}
	return nil
}

// migrate creates the database if needed and updates its schema to target ("" is the
// newest).
func migrate(cfg *config.SQL, schemaName, target string) error {
	logger := log.NewNoopLogger()
	admin := *cfg
	// The database may exist already and the user may lack CREATEDB: only a failure
	// to connect afterwards is an error.
	createErr := sqltool.DoCreateDatabase(&admin, "postgres", logger)
	conn, err := sqltool.NewConnection(cfg, logger)
	if err != nil {
		return fmt.Errorf("engine database %s: %w", cfg.DatabaseName, errors.Join(err, createErr))
	}
	defer conn.Close()
	if err := schema.NewSetupSchemaTask(conn, &schema.SetupConfig{InitialVersion: "0.0"}, logger).Run(); err != nil {
		return fmt.Errorf("engine schema %s: %w", cfg.DatabaseName, errors.Join(err, createErr))
	}
	if err := schema.NewUpdateSchemaTask(conn, &schema.UpdateConfig{
		DBName: cfg.DatabaseName, SchemaName: schemaName, TargetVersion: target,
	}, logger).Run(); err != nil {
		return fmt.Errorf("engine schema %s: %w", cfg.DatabaseName, err)
	}
	return nil
}
