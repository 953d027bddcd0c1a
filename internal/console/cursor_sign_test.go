package console

import (
	"strings"
	"testing"
	"time"

	"taskrelay/internal/accounts"
)

// TestSignedCursor: a page position round-trips through a link; one not issued by a
// console sharing the session key (made up, edited, or from another key) is refused.
func TestSignedCursor(t *testing.T) {
	s := &Server{cfg: Config{Sessions: accounts.NewSessions([]byte(strings.Repeat("k", 32)), time.Hour)}}
	c := cursor{Seg: 2, Token: []byte(`{"page":"x"}`)}
	p := s.signCursor(c)
	got, err := s.openCursor(p)
	if err != nil || got.Seg != 2 || string(got.Token) != string(c.Token) {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	other := &Server{cfg: Config{Sessions: accounts.NewSessions([]byte(strings.Repeat("o", 32)), time.Hour)}}
	for _, bad := range []string{c.String(), "1." + p[2:], p + "x", strings.Replace(p, "2.", "3.", 1), other.signCursor(c), "", "."} {
		if _, err := s.openCursor(bad); err == nil || !strings.Contains(err.Error(), "翻页位置") {
			t.Errorf("cursor %q: %v", bad, err)
		}
	}
}
