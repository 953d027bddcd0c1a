package console

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestPrivilegedAccountsNoButtons: 用户管理 draws no 停用/删除 for the privileged
// accounts (三员, province), which the server refuses from the console, and says who
// manages them instead, naming no command; other accounts keep their buttons.
func TestPrivilegedAccountsNoButtons(t *testing.T) {
	e, _ := fakeSetup(t)
	r := e.login(t, "root").get("/users")
	must(t, r, http.StatusOK)
	rows := regexp.MustCompile(`(?s)<tr><td data-label="用户名">([^<]+)</td>.*?</tr>`).FindAllStringSubmatch(r.body, -1)
	seen := map[string]string{}
	for _, row := range rows {
		seen[row[1]] = row[0]
	}
	for _, u := range []string{"sec1", "aud1", "prov1"} {
		row, ok := seen[u]
		if !ok {
			t.Fatalf("no row for %s", u)
		}
		if strings.Contains(row, "/disable") || strings.Contains(row, "/enable") || strings.Contains(row, "/remove") {
			t.Errorf("%s: buttons the server refuses:\n%s", u, row)
		}
		if !strings.Contains(row, "由系统管理员在服务器上管理") || strings.Contains(row, "starter") || strings.Contains(row, "--") {
			t.Errorf("%s: note:\n%s", u, row)
		}
	}
	if row := seen["rsj1"]; !strings.Contains(row, `action="/users/rsj1/disable"`) || !strings.Contains(row, `action="/users/rsj1/remove"`) {
		t.Errorf("rsj1 lost its buttons:\n%s", row)
	}
}
