package config

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// County is one county a worker serves in a province deployment: its Temporal
// namespace, its directory file (empty: TASKRELAY_DIRECTORY, else the sample) and its
// display name (empty: the directory's county).
type County struct {
	Namespace string
	Directory string
	Name      string
}

// namespacePattern keeps a namespace usable as a folder name under TASKRELAY_DATA.
var namespacePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// reservedNamespaces are the folders a data directory already holds.
var reservedNamespaces = map[string]bool{"outbox": true, "reports": true, "deliveries": true, "blobs": true, "webhook": true}

// countiesFromEnv reads TEMPORAL_NAMESPACES ("a,b=dirs/b.yaml,c") or
// TASKRELAY_NAMESPACES_FILE (one county a line: namespace, directory file or "-",
// display name) into c.Counties, and checks TEMPORAL_NAMESPACE against them. Neither
// set: no counties, the one namespace of TEMPORAL_NAMESPACE.
func countiesFromEnv(c *Config) []error {
	list, file := os.Getenv("TEMPORAL_NAMESPACES"), os.Getenv("TASKRELAY_NAMESPACES_FILE")
	var errs []error
	switch {
	case list == "" && file == "":
		return nil
	case list != "" && file != "":
		return []error{errors.New("TEMPORAL_NAMESPACES 与 TASKRELAY_NAMESPACES_FILE 只能设置一个")}
	case list != "":
		c.Counties, errs = parseNamespaceList(list)
	default:
		c.Counties, errs = readNamespacesFile(file)
	}
	if len(errs) > 0 {
		return errs
	}
	if c.NamespaceSet {
		if _, ok := c.County(c.Namespace); !ok {
			return []error{fmt.Errorf("TEMPORAL_NAMESPACE=%q: 不在所服务的县（%s）之中", c.Namespace, strings.Join(c.NamespaceNames(), ","))}
		}
	} else {
		c.Namespace = c.Counties[0].Namespace
	}
	return nil
}

// parseNamespaceList reads TEMPORAL_NAMESPACES: namespaces separated by commas, each
// optionally followed by =its directory file.
func parseNamespaceList(v string) ([]County, []error) {
	var out []County
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		ns, dir, _ := strings.Cut(f, "=")
		out = append(out, County{Namespace: strings.TrimSpace(ns), Directory: strings.TrimSpace(dir)})
	}
	return out, checkCounties("TEMPORAL_NAMESPACES="+fmt.Sprintf("%q", v), out, nil)
}

// readNamespacesFile reads TASKRELAY_NAMESPACES_FILE. Each line: namespace, directory
// file ("-": the default), then the display name (may hold spaces); # starts a comment.
// A directory's relative path is relative to the file's folder.
func readNamespacesFile(path string) ([]County, []error) {
	name := "TASKRELAY_NAMESPACES_FILE=" + path
	f, err := os.Open(path)
	if err != nil {
		return nil, []error{fmt.Errorf("%s: 无法读取: %w", name, err)}
	}
	defer f.Close()
	var out []County
	var lines []int
	sc := bufio.NewScanner(f)
	for no := 1; sc.Scan(); no++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		k := County{Namespace: fields[0]}
		if len(fields) > 1 && fields[1] != "-" {
			k.Directory = fields[1]
			if !filepath.IsAbs(k.Directory) {
				k.Directory = filepath.Join(filepath.Dir(path), k.Directory)
			}
		}
		if len(fields) > 2 {
			k.Name = strings.Join(fields[2:], " ")
		}
		out = append(out, k)
		lines = append(lines, no)
	}
	if err := sc.Err(); err != nil {
		return nil, []error{fmt.Errorf("%s: %w", name, err)}
	}
	return out, checkCounties(name, out, lines)
}

// checkCounties refuses an empty list, a namespace that cannot be a folder name, a
// reserved one and a repeated one, each named with its line when there are lines.
func checkCounties(src string, cs []County, lines []int) []error {
	if len(cs) == 0 {
		return []error{fmt.Errorf("%s: 没有列出任何命名空间", src)}
	}
	var errs []error
	seen := map[string]bool{}
	for i, k := range cs {
		where := src
		if lines != nil {
			where = fmt.Sprintf("%s 第 %d 行", src, lines[i])
		}
		switch {
		case !namespacePattern.MatchString(k.Namespace):
			errs = append(errs, fmt.Errorf("%s: 命名空间 %q 须为小写字母、数字、- 或 _（至多 63 个字符，以字母或数字开头）", where, k.Namespace))
		case reservedNamespaces[k.Namespace]:
			errs = append(errs, fmt.Errorf("%s: 命名空间 %q 与数据目录中的文件夹同名，请换一个", where, k.Namespace))
		case seen[k.Namespace]:
			errs = append(errs, fmt.Errorf("%s: 命名空间 %q 重复", where, k.Namespace))
		}
		seen[k.Namespace] = true
	}
	return errs
}

// Multi reports whether this process serves several counties (TEMPORAL_NAMESPACES or
// TASKRELAY_NAMESPACES_FILE set), each with its data in DataDir/<namespace>.
func (c Config) Multi() bool { return len(c.Counties) > 0 }

// County finds a served county by namespace.
func (c Config) County(ns string) (County, bool) {
	for _, k := range c.Counties {
		if k.Namespace == ns {
			return k, true
		}
	}
	return County{}, false
}

// NamespaceNames are the namespaces served: the counties', or the one namespace.
func (c Config) NamespaceNames() []string {
	if !c.Multi() {
		return []string{c.Namespace}
	}
	out := make([]string, len(c.Counties))
	for i, k := range c.Counties {
		out[i] = k.Namespace
	}
	return out
}

// ForCounty is the configuration of one served county: its namespace, directory and
// display name, and its data (outbox, reports, spool, blobs) in DataDir/<namespace>.
// With one namespace it is c itself, unchanged.
func (c Config) ForCounty(k County) Config {
	if !c.Multi() {
		return c
	}
	out := c
	out.Namespace, out.CountyName = k.Namespace, k.Name
	if k.Directory != "" {
		out.Directory = k.Directory
	}
	out.EngineDataDir = c.EngineData() // the engine and its certificates stay where they are
	out.DataDir = filepath.Join(c.DataDir, k.Namespace)
	out.BlobPrefix = k.Namespace + "/"
	out.Counties = nil
	return out
}

// CountyConfigs are the configurations of every county served, in order: c alone
// with one namespace.
func (c Config) CountyConfigs() []Config {
	if !c.Multi() {
		return []Config{c}
	}
	out := make([]Config, len(c.Counties))
	for i, k := range c.Counties {
		out[i] = c.ForCounty(k)
	}
	return out
}

// Selected is the configuration of the county picked by TEMPORAL_NAMESPACE (the
// starter's and a county console's): c itself with one namespace.
func (c Config) Selected() Config {
	if k, ok := c.County(c.Namespace); ok {
		return c.ForCounty(k)
	}
	return c
}
