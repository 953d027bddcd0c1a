package notify

import (
	"taskrelay/internal/config"
)

// LoadApps reads the office apps' settings, their secrets resolved like the
// directory's robots: a variable holds the value or a name in the secrets file.
func LoadApps(secretsFile string) (config.Apps, error) {
	secrets, err := LoadSecrets(secretsFile)
	if err != nil {
		return config.Apps{}, err
	}
	return config.AppsFromEnv(func(name string) (string, bool) {
		v, ok := secrets.file[name]
		return v, ok && v != ""
	})
}
