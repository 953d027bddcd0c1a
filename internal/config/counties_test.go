package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// clearCounties unsets the province settings a developer's shell may hold.
func clearCounties(t *testing.T) {
	for _, k := range []string{"TEMPORAL_NAMESPACES", "TASKRELAY_NAMESPACES_FILE", "TEMPORAL_NAMESPACE", "TASKRELAY_DATA", "TASKRELAY_DIRECTORY"} {
		t.Setenv(k, "")
	}
}

func TestOneNamespaceIsUnchanged(t *testing.T) {
	clearCounties(t)
	t.Setenv("TEMPORAL_NAMESPACE", "yangbi")
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.Multi() || c.Namespace != "yangbi" {
		t.Fatalf("got %+v", c)
	}
	if got := c.CountyConfigs(); len(got) != 1 || !reflect.DeepEqual(got[0], c) || !reflect.DeepEqual(c.Selected(), c) {
		t.Errorf("one namespace: the county's configuration must be the process's: %+v", got)
	}
}

func TestNamespacesList(t *testing.T) {
	clearCounties(t)
	t.Setenv("TASKRELAY_DATA", "/srv/relay")
	t.Setenv("TASKRELAY_DIRECTORY", "all.yaml")
	t.Setenv("TEMPORAL_NAMESPACES", "yangbi, dali=dirs/dali.yaml ,")
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if !c.Multi() || c.Namespace != "yangbi" || c.NamespaceSet {
		t.Fatalf("the first county is the default pick: %+v", c)
	}
	cs := c.CountyConfigs()
	if len(cs) != 2 {
		t.Fatalf("counties: %+v", c.Counties)
	}
	for i, want := range []struct{ ns, dir, data string }{
		{"yangbi", "all.yaml", "/srv/relay/yangbi"},
		{"dali", "dirs/dali.yaml", "/srv/relay/dali"},
	} {
		if cs[i].Namespace != want.ns || cs[i].Directory != want.dir || cs[i].DataDir != want.data || cs[i].Multi() {
			t.Errorf("county %d: got ns %q dir %q data %q", i, cs[i].Namespace, cs[i].Directory, cs[i].DataDir)
		}
	}
	if cs[1].OutboxDir() != "/srv/relay/dali/outbox" || cs[1].SpoolDir() != "/srv/relay/dali/deliveries" {
		t.Errorf("a county's outbox and spool are its own: %s %s", cs[1].OutboxDir(), cs[1].SpoolDir())
	}
	t.Setenv("TEMPORAL_NAMESPACE", "dali")
	if c, err = FromEnv(); err != nil || c.Selected().DataDir != "/srv/relay/dali" || c.Selected().Directory != "dirs/dali.yaml" {
		t.Errorf("TEMPORAL_NAMESPACE picks the county: %+v %v", c.Selected(), err)
	}
}

func TestNamespacesFile(t *testing.T) {
	clearCounties(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "counties.txt")
	body := "# 省内各县\nyangbi dirs/yangbi.yaml 漾濞彝族自治县\n\ndali - 大理 市\nweishan /abs/weishan.yaml # 巍山\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TASKRELAY_NAMESPACES_FILE", path)
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	want := []County{
		{Namespace: "yangbi", Directory: filepath.Join(dir, "dirs/yangbi.yaml"), Name: "漾濞彝族自治县"},
		{Namespace: "dali", Name: "大理 市"},
		{Namespace: "weishan", Directory: "/abs/weishan.yaml"},
	}
	if !reflect.DeepEqual(c.Counties, want) {
		t.Errorf("got %+v, want %+v", c.Counties, want)
	}
	if k := c.ForCounty(c.Counties[0]); k.CountyName != "漾濞彝族自治县" {
		t.Errorf("display name: %+v", k)
	}
}

func TestBadNamespacesAreNamed(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("yangbi\nYangBi x\nyangbi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"TEMPORAL_NAMESPACES": "yangbi,Dali"}, []string{"TEMPORAL_NAMESPACES", `"Dali"`}},
		{map[string]string{"TEMPORAL_NAMESPACES": "yangbi,yangbi"}, []string{"TEMPORAL_NAMESPACES", "重复"}},
		{map[string]string{"TEMPORAL_NAMESPACES": "a,outbox"}, []string{"TEMPORAL_NAMESPACES", `"outbox"`}},
		{map[string]string{"TEMPORAL_NAMESPACES": " , "}, []string{"TEMPORAL_NAMESPACES", "没有"}},
		{map[string]string{"TEMPORAL_NAMESPACES": "a,b", "TEMPORAL_NAMESPACE": "c"}, []string{"TEMPORAL_NAMESPACE=", `"c"`}},
		{map[string]string{"TEMPORAL_NAMESPACES": "a", "TASKRELAY_NAMESPACES_FILE": bad}, []string{"TEMPORAL_NAMESPACES", "TASKRELAY_NAMESPACES_FILE"}},
		{map[string]string{"TASKRELAY_NAMESPACES_FILE": filepath.Join(dir, "missing.txt")}, []string{"TASKRELAY_NAMESPACES_FILE", "missing.txt"}},
		{map[string]string{"TASKRELAY_NAMESPACES_FILE": bad}, []string{"TASKRELAY_NAMESPACES_FILE", "第 2 行", `"YangBi"`, "第 3 行", "重复"}},
	} {
		clearCounties(t)
		for k, v := range tc.env {
			t.Setenv(k, v)
		}
		_, err := FromEnv()
		if err == nil {
			t.Errorf("%v: want an error", tc.env)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q does not say %q", tc.env, err, w)
			}
		}
	}
}
