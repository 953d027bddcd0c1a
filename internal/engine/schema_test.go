package engine

import (
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	pgschema "go.temporal.io/server/schema/postgresql/v12"
	sqltool "go.temporal.io/server/tools/sql"
)

// SchemaVersions reads the versions of both PostgreSQL databases (for tests and
// diagnostics), and the versions this server expects.
func SchemaVersions(dbURL string) (store, visibility string, err error) {
	s, v, err := postgresStores(dbURL)
	if err != nil {
		return "", "", err
	}
	read := func(cfg *config.SQL) (string, error) {
		conn, err := sqltool.NewConnection(cfg, log.NewNoopLogger())
		if err != nil {
			return "", err
		}
		defer conn.Close()
		return conn.ReadSchemaVersion()
	}
	if store, err = read(s); err != nil {
		return "", "", err
	}
	visibility, err = read(v)
	return store, visibility, err
}

// WantSchemaVersions are the PostgreSQL schema versions this server runs on.
func WantSchemaVersions() (store, visibility string) {
	return pgschema.Version, pgschema.VisibilityVersion
}
