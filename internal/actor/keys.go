package actor

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Files in the data folder.
const (
	// TrustedKeysFile lists the public keys the workflows trust, one a line:
	// "KIND NAME BASE64-KEY" ('#' starts a comment). TrustedKeysEnv names another file.
	TrustedKeysFile = "trusted-keys"
	TrustedKeysEnv  = "TASKRELAY_TRUSTED_KEYS"
	// ConsoleKeyFile is the console's private key; OperatorsDir holds NAME.key per operator.
	ConsoleKeyFile = "console-signing.key"
	OperatorsDir   = "operators"
	// OperatorEnv picks the operator key the starter signs with (a name or a key file).
	OperatorEnv = "TASKRELAY_OPERATOR"
)

// ConsoleName is the signer name of the console's key.
const ConsoleName = "console"

// TrustedFile is the trusted-keys file in dataDir (config.Config.TrustedKeys names the
// one TASKRELAY_TRUSTED_KEYS sets instead).
func TrustedFile(dataDir string) string {
	return filepath.Join(dataDir, TrustedKeysFile)
}

// CheckName refuses an operator name that could not be a file name or a field.
func CheckName(name string) error {
	if name == "" || len(name) > 64 || strings.ContainsAny(name, " \t\r\n/\\#") || name[0] == '.' {
		return fmt.Errorf("操作员名称 %q 无效：1-64 个字符，不含空白、斜杠、# 且不以 . 开头", name)
	}
	return nil
}

// NewSigner makes a fresh key pair for kind and name.
func NewSigner(kind Kind, name string) (*Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("生成密钥: %w", err)
	}
	return &Signer{Kind: kind, Name: name, Key: priv}, nil
}

// WriteSigner saves a private key (PEM, PKCS #8, with its kind and name) readable by
// its owner only. An existing file is never overwritten.
func WriteSigner(path string, s *Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(s.Key)
	if err != nil {
		return fmt.Errorf("密钥 %s: %w", path, err)
	}
	block := &pem.Block{Type: "PRIVATE KEY", Headers: map[string]string{"Kind": string(s.Kind), "Name": s.Name}, Bytes: der}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("密钥 %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("密钥文件 %s 已存在", path)
		}
		return fmt.Errorf("密钥 %s: %w", path, err)
	}
	if err := pem.Encode(f, block); err != nil {
		f.Close()
		return fmt.Errorf("密钥 %s: %w", path, err)
	}
	return f.Close()
}

// LoadSigner reads a private key written by WriteSigner.
func LoadSigner(path string) (*Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("读取密钥 %s: %w", path, err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("密钥 %s 不是 PEM 格式的私钥", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("密钥 %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	kind := Kind(block.Headers["Kind"])
	if !ok || !kind.Valid() || block.Headers["Name"] == "" {
		return nil, fmt.Errorf("密钥 %s 不是 taskrelay 的 Ed25519 签名密钥（缺少 Kind/Name）", path)
	}
	return &Signer{Kind: kind, Name: block.Headers["Name"], Key: priv}, nil
}

// ParseKeys reads a trusted-keys file's content; name is for errors.
func ParseKeys(name string, b []byte) ([]PublicKey, error) {
	var out []PublicKey
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, fmt.Errorf("%s 第%d行：应为“类型 名称 公钥”三项，实为 %d 项", name, n, len(f))
		}
		kind := Kind(f[0])
		if !kind.Valid() {
			return nil, fmt.Errorf("%s 第%d行：密钥类型 %q 无效，应为 console 或 operator", name, n, f[0])
		}
		key, err := base64.StdEncoding.DecodeString(f[2])
		if err != nil || len(key) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%s 第%d行：公钥不是 base64 编码的 Ed25519 公钥", name, n)
		}
		out = append(out, PublicKey{Kind: kind, Name: f[1], Key: key})
	}
	return out, sc.Err()
}

// Line is a key as the trusted-keys file writes it.
func (k PublicKey) Line() string {
	return fmt.Sprintf("%s %s %s", k.Kind, k.Name, base64.StdEncoding.EncodeToString(k.Key))
}

// ReadKeys reads the trusted-keys file; a missing file is no keys (nil).
func ReadKeys(path string) ([]PublicKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("读取受信任密钥 %s: %w", path, err)
	}
	return ParseKeys(path, b)
}

// Trust adds k to the trusted-keys file unless it is there already. A different key
// of the same kind and name is refused: replacing one is a rotation (edit the file,
// then push the keys to the running workflows).
func Trust(path string, k PublicKey) error {
	keys, err := ReadKeys(path)
	if err != nil {
		return err
	}
	for _, have := range keys {
		if have.ID() == k.ID() {
			return nil
		}
		if have.Kind == k.Kind && have.Name == k.Name {
			return fmt.Errorf("受信任密钥 %s 已有 %s %s 的另一把密钥", path, k.Kind, k.Name)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("受信任密钥 %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("受信任密钥 %s: %w", path, err)
	}
	if _, err := fmt.Fprintln(f, k.Line()); err != nil {
		f.Close()
		return fmt.Errorf("受信任密钥 %s: %w", path, err)
	}
	return f.Close()
}

// Digest is the SHA-256 of a key set in its canonical form (sorted lines): what an
// assertion pushing that set signs.
func Digest(keys []PublicKey) string {
	lines := make([]string, len(keys))
	for i, k := range keys {
		lines[i] = k.Line()
	}
	slices.Sort(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:])
}

// EnsureConsole loads the console's key from dataDir, making it on the first start,
// and makes sure the trusted-keys file (trusted) lists it.
func EnsureConsole(dataDir, trusted string) (*Signer, error) {
	path := filepath.Join(dataDir, ConsoleKeyFile)
	s, err := LoadSigner(path)
	if errors.Is(err, os.ErrNotExist) {
		if s, err = NewSigner(Console, ConsoleName); err == nil {
			err = WriteSigner(path, s)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := Trust(trusted, s.Public()); err != nil {
		return nil, err
	}
	return s, nil
}

// AddOperator makes operator name's key pair in dataDir/operators (refused when it
// exists) and trusts its public key.
func AddOperator(dataDir, trusted, name string) (*Signer, string, error) {
	if err := CheckName(name); err != nil {
		return nil, "", err
	}
	s, err := NewSigner(Operator, name)
	if err != nil {
		return nil, "", err
	}
	path := filepath.Join(dataDir, OperatorsDir, name+".key")
	if err := WriteSigner(path, s); err != nil {
		return nil, "", err
	}
	if err := Trust(trusted, s.Public()); err != nil {
		return nil, "", err
	}
	return s, path, nil
}

// PickOperator finds the operator key to sign with: pick is a name (in
// dataDir/operators) or a key file's path; empty, the only key there. No key at all
// is (nil, nil): the caller acts unsigned and the workflows say so.
func PickOperator(dataDir, pick string) (*Signer, error) {
	if pick != "" {
		path := pick
		if !strings.ContainsRune(pick, os.PathSeparator) && !strings.HasSuffix(pick, ".key") {
			if err := CheckName(pick); err != nil {
				return nil, err
			}
			path = filepath.Join(dataDir, OperatorsDir, pick+".key")
		}
		s, err := LoadSigner(path)
		if err != nil {
			return nil, fmt.Errorf("操作员 %s: %w", pick, err)
		}
		if s.Kind != Operator {
			return nil, fmt.Errorf("密钥 %s 不是操作员密钥", path)
		}
		return s, nil
	}
	files, err := filepath.Glob(filepath.Join(dataDir, OperatorsDir, "*.key"))
	if err != nil {
		return nil, err
	}
	switch len(files) {
	case 0:
		return nil, nil
	case 1:
		return PickOperator(dataDir, files[0])
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = strings.TrimSuffix(filepath.Base(f), ".key")
	}
	return nil, fmt.Errorf("有 %d 个操作员密钥（%s），请用 --operator 名称 或 %s 指定", len(files), strings.Join(names, "、"), OperatorEnv)
}
