package e2e

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSecurityLogReadAndAudited: a brute-force attempt on the real console lands in
// the security log; `starter security-log --json` prints it, `starter audit` finds the
// chain intact, and refuses it once a line is edited.
func TestSecurityLogReadAndAudited(t *testing.T) {
	c := newCounty(t)
	c.start()
	con := startConsole(t, c)
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) string {
		res, err := hc.Get(strings.TrimSuffix(con.URL, "/") + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	token := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(get("/login"))
	if token == nil {
		t.Fatal("no form token on the login page")
	}
	login := func(user, pw string) int {
		res, err := hc.PostForm(strings.TrimSuffix(con.URL, "/")+"/login", url.Values{"csrf_token": {token[1]}, "username": {user}, "password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for i := 0; i < 2; i++ {
		if code := login("admin", "Guessed-pw-1"); code != http.StatusUnauthorized {
			t.Fatalf("wrong password: %d", code)
		}
	}
	if code := login("admin", con.AdminPassword); code != http.StatusSeeOther {
		t.Fatalf("right password: %d", code)
	}

	logFile := filepath.Join(c.data, "security.log")
	var lines []map[string]any
	c.jsonOf(&lines, "security-log", "--json", "--file", logFile)
	var events []string
	for _, l := range lines {
		for _, k := range []string{"at", "user", "ip", "event", "detail"} {
			if _, ok := l[k]; !ok {
				t.Fatalf("line without %q: %v", k, l)
			}
		}
		if len(l) != 5 {
			t.Fatalf("line with other fields: %v", l)
		}
		events = append(events, l["event"].(string))
	}
	if got := strings.Join(events, " "); got != "login_failed login_failed login" {
		t.Fatalf("events %q", got)
	}
	var none []map[string]any
	c.jsonOf(&none, "security-log", "--json", "--since", "2999-01-01", "--file", logFile)
	if none == nil || len(none) != 0 {
		t.Fatalf("--since in the future: %v", none)
	}
	if out := c.ok("audit", "--security-log", logFile); !strings.Contains(out, "3 条记录，哈希链完整") {
		t.Fatalf("audit of an intact log: %s", out)
	}

	// Someone turns a failure into a success.
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), `"event":"login_failed"`, `"event":"login"`, 1)
	if err := os.WriteFile(logFile, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	c.refused("安全日志第 1 行", "audit", "--security-log", logFile)
	c.refused("安全日志第 1 行", "security-log", "--file", logFile)
}
