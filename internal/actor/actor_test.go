package actor

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)

func signer(t *testing.T, kind Kind, name string) *Signer {
	t.Helper()
	s, err := NewSigner(kind, name)
	if err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return t0 }
	return s
}

func TestVerify(t *testing.T) {
	op := signer(t, Operator, "zhang")
	other := signer(t, Operator, "zhang") // same name, another key
	keys := []PublicKey{op.Public(), signer(t, Console, ConsoleName).Public()}
	id := Identity{User: "czj1", Unit: "czj"}
	want := Expect{Identity: id, Workflow: "task:m:1", Action: "progress", Request: "r1"}
	good := op.Sign(id, "task:m:1", "progress", "r1", "")
	if k, err := Verify(&good, keys, want, t0.Add(time.Minute)); err != nil || k.Name != "zhang" {
		t.Fatalf("good assertion: %v (key %+v)", err, k)
	}
	tamper := func(f func(a *Assertion)) *Assertion {
		a := good
		a.Sig = append([]byte(nil), good.Sig...)
		f(&a)
		return &a
	}
	otherKey := other.Sign(id, "task:m:1", "progress", "r1", "")
	cases := []struct {
		name string
		a    *Assertion
		want Expect
		now  time.Time
		err  error
	}{
		{"unsigned", nil, want, t0, ErrUnsigned},
		{"unknown key", &otherKey, want, t0, ErrUnknown},
		{"identity changed after signing", tamper(func(a *Assertion) { a.Identity.Unit = "rsj" }), Expect{Identity: Identity{User: "czj1", Unit: "rsj"}, Workflow: "task:m:1", Action: "progress", Request: "r1"}, t0, ErrForged},
		{"expiry extended", tamper(func(a *Assertion) { a.ExpiresAt = a.ExpiresAt.Add(time.Hour) }), want, t0, ErrForged},
		{"signer renamed", tamper(func(a *Assertion) { a.Signer = "li" }), want, t0, ErrForged},
		{"bit flipped", tamper(func(a *Assertion) { a.Sig[0] ^= 1 }), want, t0, ErrForged},
		{"short signature", tamper(func(a *Assertion) { a.Sig = a.Sig[:10] }), want, t0, ErrForged},
		{"expired", &good, want, t0.Add(DefaultTTL), ErrExpired},
		{"from the future", &good, want, t0.Add(-2 * Skew), ErrExpired},
		{"other workflow", &good, Expect{Identity: id, Workflow: "task:m:2", Action: "progress", Request: "r1"}, t0, ErrMismatch},
		{"other action", &good, Expect{Identity: id, Workflow: "task:m:1", Action: "verify", Request: "r1"}, t0, ErrMismatch},
		{"other request (replayed)", &good, Expect{Identity: id, Workflow: "task:m:1", Action: "progress", Request: "r2"}, t0, ErrMismatch},
		{"other identity", &good, Expect{Identity: Identity{Unit: "rsj"}, Workflow: "task:m:1", Action: "progress", Request: "r1"}, t0, ErrMismatch},
		{"other digest", &good, Expect{Identity: id, Workflow: "task:m:1", Action: "progress", Request: "r1", Digest: "x"}, t0, ErrMismatch},
		{"kind not accepted", &good, Expect{Identity: id, Workflow: "task:m:1", Action: "progress", Request: "r1", Kinds: []Kind{Console}}, t0, ErrUnknown},
	}
	for _, c := range cases {
		_, err := Verify(c.a, keys, c.want, c.now)
		if !errors.Is(err, c.err) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.err)
		}
	}
}

func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	trusted := filepath.Join(dir, TrustedKeysFile)
	con, err := EnsureConsole(dir, trusted)
	if err != nil {
		t.Fatal(err)
	}
	again, err := EnsureConsole(dir, trusted)
	if err != nil || again.Public().ID() != con.Public().ID() {
		t.Fatalf("second start made another console key: %v", err)
	}
	op, path, err := AddOperator(dir, trusted, "wangwu")
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("operator key %s: %v %v", path, fi.Mode(), err)
	}
	if fi, err := os.Stat(filepath.Join(dir, ConsoleKeyFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("console key: %v %v", fi.Mode(), err)
	}
	if _, _, err := AddOperator(dir, trusted, "wangwu"); err == nil || !strings.Contains(err.Error(), "已存在") {
		t.Errorf("adding the same operator again: %v", err)
	}
	if _, _, err := AddOperator(dir, trusted, "../x"); err == nil {
		t.Error("a name with a slash was accepted")
	}
	keys, err := ReadKeys(trusted)
	if err != nil || len(keys) != 2 || keys[0].Kind != Console || keys[1].Name != "wangwu" {
		t.Fatalf("trusted keys: %+v %v", keys, err)
	}
	picked, err := PickOperator(dir, "")
	if err != nil || picked.Public().ID() != op.Public().ID() {
		t.Fatalf("the only operator key: %v", err)
	}
	if _, _, err := AddOperator(dir, trusted, "zhaoliu"); err != nil {
		t.Fatal(err)
	}
	if _, err := PickOperator(dir, ""); err == nil || !strings.Contains(err.Error(), "--operator") {
		t.Errorf("two keys, none picked: %v", err)
	}
	if s, err := PickOperator(dir, "zhaoliu"); err != nil || s.Name != "zhaoliu" {
		t.Errorf("picked by name: %v", err)
	}
	if s, err := PickOperator(dir, path); err != nil || s.Name != "wangwu" {
		t.Errorf("picked by file: %v", err)
	}
	if _, err := PickOperator(dir, filepath.Join(dir, ConsoleKeyFile)); err == nil {
		t.Error("the console key was taken as an operator's")
	}
	// A signature made with a loaded key verifies against the file's public key.
	a := picked.Sign(Identity{By: "inspection"}, "task:m:1", "verify", "r1", "")
	if _, err := Verify(&a, keys, Expect{Identity: Identity{By: "inspection"}, Workflow: "task:m:1", Action: "verify", Request: "r1"}, time.Now()); err != nil {
		t.Errorf("loaded key: %v", err)
	}
	if Digest(keys) != Digest([]PublicKey{keys[1], keys[0]}) || Digest(keys) == Digest(keys[:1]) {
		t.Error("the digest of a key set depends on order, or not on its keys")
	}
}

func TestParseKeysRefusesBadLines(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"console c", "三项"},
		{"admin x AAAA", "类型"},
		{"operator x bm90LWEta2V5", "公钥"},
	} {
		if _, err := ParseKeys("trusted-keys", []byte("# comment\n\n"+c.text+"\n")); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "第3行") {
			t.Errorf("%q: %v", c.text, err)
		}
	}
}

// BenchmarkSignVerify is what signed actors add to one update: the client's Sign and
// the validator's Verify against a set of 10 trusted keys.
func BenchmarkSignVerify(b *testing.B) {
	var keys []PublicKey
	for i := 0; i < 9; i++ {
		s, _ := NewSigner(Operator, "op")
		keys = append(keys, s.Public())
	}
	s, _ := NewSigner(Console, ConsoleName)
	keys = append(keys, s.Public())
	id := Identity{User: "czj1", Unit: "czj"}
	want := Expect{Identity: id, Workflow: "task:m:1", Action: "progress", Request: "r1"}
	b.Run("sign", func(b *testing.B) {
		for b.Loop() {
			s.Sign(id, "task:m:1", "progress", "r1", "")
		}
	})
	a := s.Sign(id, "task:m:1", "progress", "r1", "")
	now := time.Now()
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if _, err := Verify(&a, keys, want, now); err != nil {
				b.Fatal(err)
			}
		}
	})
}
