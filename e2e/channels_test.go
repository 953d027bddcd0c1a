package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"taskrelay/examples"
	"taskrelay/internal/directory"
	"taskrelay/internal/notify"
	"taskrelay/internal/relay"
)

// TestNoticesReachUnitsOnTheirChannels: a unit with a signed DingTalk robot in the
// directory (secrets by name, from the environment) receives its dispatch notice
// there, once, with the console link and its contact @-mentioned; `starter
// deliveries --json` shows it delivered; `starter notices --json` carries read_at,
// null until the unit opens the notice.
func TestNoticesReachUnitsOnTheirChannels(t *testing.T) {
	var mu sync.Mutex
	var texts []string
	robot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ts, _ := strconv.ParseInt(q.Get("timestamp"), 10, 64)
		answer := `{"errcode":0,"errmsg":"ok"}`
		var m struct {
			MsgType  string `json:"msgtype"`
			Markdown struct{ Title, Text string }
		}
		body, _ := io.ReadAll(r.Body)
		switch {
		case q.Get("access_token") != "tok-rsj":
			answer = `{"errcode":300001,"errmsg":"token is not exist"}`
		case time.Since(time.UnixMilli(ts)).Abs() > time.Hour || q.Get("sign") != notify.DingTalkSign("SEC-rsj-e2e", ts):
			answer = `{"errcode":310000,"errmsg":"sign not match"}`
		case json.Unmarshal(body, &m) != nil || m.MsgType != "markdown" || m.Markdown.Text == "":
			answer = `{"errcode":40035,"errmsg":"缺少参数 json"}`
		default:
			mu.Lock()
			texts = append(texts, m.Markdown.Text)
			mu.Unlock()
		}
		w.Write([]byte(answer))
	}))
	defer robot.Close()

	dirFile := filepath.Join(t.TempDir(), "directory.yaml")
	// The sample directory names rsj's 联络员; the robot's message @-mentions that mobile.
	dir, err := directory.Parse("directory.yaml", examples.Directory)
	if err != nil {
		t.Fatal(err)
	}
	rsj, ok := dir.Unit("rsj")
	if !ok || rsj.Contact == nil || rsj.Contact.Mobile == "" {
		t.Fatal("the sample directory has no contact for rsj")
	}
	withChannel := strings.Replace(string(examples.Directory), "  - id: rsj\n    name: 县人力资源和社会保障局\n",
		"  - id: rsj\n    name: 县人力资源和社会保障局\n"+
			"    channels:\n      - {type: dingtalk, url: "+robot.URL+", token: E2E_RSJ_TOKEN, secret: E2E_RSJ_SECRET}\n", 1)
	if err := os.WriteFile(dirFile, []byte(withChannel), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TASKRELAY_DIRECTORY", dirFile)
	t.Setenv("E2E_RSJ_TOKEN", "tok-rsj")
	t.Setenv("E2E_RSJ_SECRET", "SEC-rsj-e2e")
	t.Setenv("TASKRELAY_PUBLIC_URL", "https://duban.example.gov.cn")
	c := newCounty(t)
	t.Setenv("TASKRELAY_DATA", c.data) // the starter reads the spool there
	c.start()
	c.ok("submit", sample, "--adopt")

	const notice = "dispatch:cwh-2026-12:rsj"
	eventually(t, "rsj's notice on its DingTalk robot", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(texts) > 0
	})
	// rsj's dispatch notice, and any reminder the sample's near deadlines bring.
	var d relay.Delivery
	eventually(t, "the delivery recorded", func() bool {
		var ds []relay.Delivery
		c.jsonOf(&ds, "deliveries", "--json")
		for _, x := range ds {
			if x.To != "rsj" || x.Channel != relay.ChannelDingTalk {
				t.Fatalf("a delivery to a unit without channels: %+v", x)
			}
			if x.Notice == notice {
				d = x
			}
		}
		return d.State == relay.DeliveryDelivered
	})
	if d.Attempts != 1 || d.LastError != "" {
		t.Errorf("delivery = %+v", d)
	}
	var failed []relay.Delivery
	c.jsonOf(&failed, "deliveries", "--failed", "--json")
	if len(failed) != 0 {
		t.Errorf("set aside: %+v", failed)
	}
	mu.Lock()
	text := strings.Join(texts, "\n")
	mu.Unlock()
	for _, want := range []string{"[在控制台查看](https://duban.example.gov.cn/notices/" + notice + ")", "@" + rsj.Contact.Mobile, "县人力资源和社会保障局"} {
		if !strings.Contains(text, want) {
			t.Errorf("message lacks %q:\n%s", want, text)
		}
	}

	type readRow struct {
		Unit   string     `json:"unit"`
		ReadAt *time.Time `json:"read_at"`
	}
	var rows []readRow
	c.jsonOf(&rows, "notices", "cwh-2026-12", "--json")
	for _, r := range rows {
		if r.ReadAt != nil {
			t.Errorf("%s read before anyone opened it", r.Unit)
		}
	}
	ac := c.api()
	if ok, err := ac.MarkRead(context.Background(), "cwh-2026-12", notice, "rsj", "rsj1"); !ok || err != nil {
		t.Fatalf("mark read: %v %v", ok, err)
	}
	// The history of a task carrying the read receipt, for the replay tests.
	ns, err := ac.Notices(context.Background(), "cwh-2026-12")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		if n.Unit == "rsj" && len(n.Items) > 0 {
			c.record(relay.TaskWorkflowID(relay.TaskID("cwh-2026-12", n.Items[0].No)), "task-read")
		}
	}
	c.jsonOf(&rows, "notices", "cwh-2026-12", "--json")
	for _, r := range rows {
		if (r.Unit == "rsj") != (r.ReadAt != nil) {
			t.Errorf("%s read_at %v", r.Unit, r.ReadAt)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if c := strings.Count(strings.Join(texts, "\n"), "/notices/"+notice+")"); c != 1 {
		t.Errorf("the dispatch notice reached the robot %d times", c)
	}
	t.Logf("rsj's robot got %d message(s), the dispatch notice once", len(texts))
}
