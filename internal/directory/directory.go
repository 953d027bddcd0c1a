// Package directory loads the county's organisation: the deputy county heads
// (分管副县长) with the units in their portfolio (分管), and the responsible units
// (责任单位) with every name they bear (加挂牌子, 合署办公) and their sections (股室).
//
// A task addressed to any name of a body reaches that body: ResolveUnit accepts a
// unit's id, its name or any of its aliases.
package directory

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"taskrelay/internal/problem"

	"gopkg.in/yaml.v3"

	"taskrelay/internal/relay"

	"taskrelay/internal/task"
)

// MaxFileSize is the largest directory file Load and Parse accept.
const MaxFileSize = 4 << 20

// Directory is the county's organisation as read from its YAML file.
type Directory struct {
	County string `yaml:"county"`
	// Head is the county head (县长, role county_head): may write instructions on
	// any task. Optional.
	Head    *Leader  `yaml:"head,omitempty"`
	Leaders []Leader `yaml:"leaders"`
	Units   []Unit   `yaml:"units"`
}

// Leader is a deputy county head and the units in his or her portfolio (unit ids).
type Leader struct {
	ID    string   `yaml:"id"`
	Name  string   `yaml:"name"`
	Title string   `yaml:"title"`
	Units []string `yaml:"units"`
	// Contact and Channels: how notices to the leader reach him or her.
	Contact  *Contact  `yaml:"contact,omitempty"`
	Channels []Channel `yaml:"channels,omitempty"`
}

// Contact is the person notices are addressed to (the unit's 联络员): the mobile
// number is @-mentioned on DingTalk and WeCom.
type Contact struct {
	Name   string `yaml:"name,omitempty"`
	Mobile string `yaml:"mobile,omitempty"`
}

// Channel is one way notices reach a unit or leader. Secrets are never written here:
// Token and Secret are the NAMES of secrets, resolved from the environment or the
// secrets file (TASKRELAY_SECRETS_FILE).
type Channel struct {
	// Type is relay.ChannelDingTalk, ChannelWeCom, ChannelFeishu, ChannelEmail or
	// ChannelWebhook.
	Type string `yaml:"type"`
	// URL is the robot's endpoint when not the platform's public one (政务钉钉,
	// Lark), or the generic webhook's address.
	URL string `yaml:"url,omitempty"`
	// Token names the secret holding the DingTalk access_token, the WeCom key or the
	// Feishu hook token.
	Token string `yaml:"token,omitempty"`
	// Secret names the signing secret (DingTalk 加签, Feishu 签名校验).
	Secret string `yaml:"secret,omitempty"`
	// To are the e-mail addresses.
	To []string `yaml:"to,omitempty"`
}

// Unit is a responsible unit. Aliases are the other names the body bears or the
// bodies it works jointly with; Sections are its (big) sections.
type Unit struct {
	ID       string    `yaml:"id"`
	Name     string    `yaml:"name"`
	Aliases  []string  `yaml:"aliases,omitempty"`
	Sections []string  `yaml:"sections,omitempty"`
	Contact  *Contact  `yaml:"contact,omitempty"`
	Channels []Channel `yaml:"channels,omitempty"`
}

// Names returns the unit's name followed by its aliases.
func (u Unit) Names() []string {
	return append([]string{u.Name}, u.Aliases...)
}

// Problem is one thing wrong with a directory file. Entry names the leader or unit
// concerned ("单位 rsj", "县领导 ld-chang"), empty when the problem is about the file.
type Problem struct {
	File    string
	Entry   string
	Field   string
	Message string
}

func (p Problem) String() string { return problem.Line(p.File, p.Entry, p.Field, p.Message) }

// Problems is every problem found in a directory file; it is the error Load and
// Parse return.
type Problems []Problem

// Error lists the problems, one per line.
func (ps Problems) Error() string { return problem.Join(ps) }

// Load reads and validates the directory file at path.
func Load(path string) (*Directory, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, Problems{{File: path, Message: "无法读取目录文件: " + err.Error()}}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, Problems{{File: path, Message: "无法读取目录文件: " + err.Error()}}
	}
	return Parse(path, data)
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// LoadOr reads the directory at path, or, when path is empty, the given default
// (the embedded sample county: LoadOr(path, examples.DirectoryFile, examples.Directory)).
func LoadOr(path, defaultFile string, defaultData []byte) (*Directory, error) {
	if path == "" {
		return Parse(defaultFile, defaultData)
	}
	return Load(path)
}

// Parse decodes and validates a directory. file is only used in messages. Every
// problem is reported at once, as Problems.
func Parse(file string, data []byte) (*Directory, error) {
	if len(data) > MaxFileSize {
		return nil, Problems{{File: file, Message: fmt.Sprintf("文件过大（超过 %d MiB）", MaxFileSize>>20)}}
	}
	var d Directory
	var ps Problems
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(&d)
	var te *yaml.TypeError
	switch {
	case err == nil:
	case errors.Is(err, io.EOF):
		return nil, Problems{{File: file, Message: "文件为空"}}
	case errors.As(err, &te):
		// The rest of the document was decoded: report these and go on validating.
		for _, e := range te.Errors {
			ps = append(ps, typeProblem(file, e))
		}
	default:
		return nil, Problems{{File: file, Message: "YAML 格式错误: " + strings.ToValidUTF8(err.Error(), "")}}
	}
	ps = append(ps, d.validate(file)...)
	if len(ps) > 0 {
		return nil, ps
	}
	return &d, nil
}

var (
	unknownFieldRE = regexp.MustCompile(`^line (\d+): field (.+) not found in type (\S+)$`)
	lineRE         = regexp.MustCompile(`^line (\d+): (.*)$`)
)

// typeProblem turns one of yaml.v3's type errors into a Chinese problem.
func typeProblem(file, e string) Problem {
	e = strings.ToValidUTF8(e, "") // yaml.v3 shortens long values mid-character
	if m := unknownFieldRE.FindStringSubmatch(e); m != nil {
		return Problem{File: file, Field: m[2], Message: fmt.Sprintf("第%s行 未知字段（%s 没有此字段）", m[1], m[3])}
	}
	if m := lineRE.FindStringSubmatch(e); m != nil {
		return Problem{File: file, Message: fmt.Sprintf("第%s行 类型错误: %s", m[1], m[2])}
	}
	return Problem{File: file, Message: "类型错误: " + e}
}

// validate checks the decoded directory, trimming names as it goes.
func (d *Directory) validate(file string) Problems {
	var ps Problems
	add := func(entry, field, format string, args ...any) {
		ps = append(ps, Problem{File: file, Entry: entry, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	d.County = strings.TrimSpace(d.County)
	if d.County == "" {
		add("", "county", "缺少县名")
	}
	if len(d.Units) == 0 {
		add("", "units", "没有任何单位")
	}
	if h := d.Head; h != nil {
		h.ID, h.Name = strings.TrimSpace(h.ID), strings.TrimSpace(h.Name)
		switch {
		case h.ID == "":
			add("县长", "head.id", "缺少 id")
		case !idPattern.MatchString(h.ID):
			add("县长", "head.id", "id“%s”只能由字母、数字和 . _ - 组成，不超过 64 个字符", h.ID)
		}
		if h.Name == "" {
			add("县长", "head.name", "缺少姓名")
		}
		if len(h.Units) > 0 {
			add("县长", "head.units", "县长不列分管单位")
		}
		for _, l := range d.Leaders {
			if strings.TrimSpace(l.ID) == h.ID && h.ID != "" {
				add("县长", "head.id", "id“%s”与县领导 %s 重复", h.ID, l.Name)
			}
		}
	}

	// Units: ids, then every name (name and aliases) must designate one unit only.
	unitIdx := map[string]int{} // id -> index
	for i := range d.Units {
		u := &d.Units[i]
		u.ID = strings.TrimSpace(u.ID)
		u.Name = strings.TrimSpace(u.Name)
		entry := unitEntry(i, u.ID)
		if j := checkID(add, entry, u.ID, i, unitIdx); j >= 0 {
			add(entry, "id", "id 与第%d个单位（%s）重复", j+1, d.Units[j].Name)
		}
		if u.Name == "" {
			add(entry, "name", "缺少单位名称")
		}
		for k := range u.Aliases {
			u.Aliases[k] = strings.TrimSpace(u.Aliases[k])
			if u.Aliases[k] == "" {
				add(entry, "aliases", "第%d个别名为空", k+1)
			}
		}
		for k := range u.Sections {
			u.Sections[k] = strings.TrimSpace(u.Sections[k])
			if u.Sections[k] == "" {
				add(entry, "sections", "第%d个股室名称为空", k+1)
			}
		}
		if dup := firstDuplicate(u.Sections); dup != "" {
			add(entry, "sections", "股室“%s”重复", dup)
		}
		ps = append(ps, validateReach(file, entry, u.Contact, u.Channels)...)
	}
	owner := map[string]int{} // name or alias -> unit index
	for i := range d.Units {
		u := &d.Units[i]
		entry := unitEntry(i, u.ID)
		check := func(field, name string) {
			if name == "" {
				return
			}
			if j, ok := owner[name]; ok {
				if j != i {
					add(entry, field, "名称“%s”已被单位 %s 使用", name, unitLabel(d.Units[j], j))
				}
				return // the same unit repeating one of its names is harmless
			}
			if j, ok := unitIdx[name]; ok && j != i {
				add(entry, field, "名称“%s”是单位 %s 的 id", name, unitLabel(d.Units[j], j))
				return
			}
			owner[name] = i
		}
		check("name", u.Name)
		for _, a := range u.Aliases {
			check("aliases", a)
		}
	}

	// Leaders: ids and names unique, portfolios name known units, each unit in at
	// most one portfolio.
	leaderIdx := map[string]int{}
	leaderName := map[string]int{}
	inPortfolio := map[string]int{} // unit id -> leader index
	for i := range d.Leaders {
		l := &d.Leaders[i]
		l.ID = strings.TrimSpace(l.ID)
		l.Name = strings.TrimSpace(l.Name)
		l.Title = strings.TrimSpace(l.Title)
		entry := leaderEntry(i, l.ID)
		if j := checkID(add, entry, l.ID, i, leaderIdx); j >= 0 {
			add(entry, "id", "id 与第%d位县领导（%s）重复", j+1, d.Leaders[j].Name)
		}
		if l.Name == "" {
			add(entry, "name", "缺少姓名")
		} else if j, dup := leaderName[l.Name]; dup {
			add(entry, "name", "姓名“%s”与县领导 %s 相同，无法区分", l.Name, leaderLabel(d.Leaders[j], j))
		} else {
			leaderName[l.Name] = i
		}
		ps = append(ps, validateReach(file, entry, l.Contact, l.Channels)...)
		seen := map[string]bool{}
		for k, id := range l.Units {
			id = strings.TrimSpace(id)
			l.Units[k] = id
			switch {
			case id == "":
				add(entry, "units", "第%d个单位为空", k+1)
			case seen[id]:
				add(entry, "units", "单位 %s 重复列出", id)
			default:
				seen[id] = true
				if _, ok := unitIdx[id]; !ok {
					if j, ok := owner[id]; ok {
						add(entry, "units", "找不到单位“%s”（分管单位应写 id，是否指 %s？）", id, d.Units[j].ID)
					} else {
						add(entry, "units", "找不到单位“%s”", id)
					}
					continue
				}
				if j, ok := inPortfolio[id]; ok {
					add(entry, "units", "单位 %s 已由县领导 %s 分管，一个单位只能有一位分管县领导", id, leaderLabel(d.Leaders[j], j))
					continue
				}
				inPortfolio[id] = i
			}
		}
	}
	// A leader's name may not be another leader's id: ResolveLeader takes both.
	for i, l := range d.Leaders {
		if j, ok := leaderIdx[l.Name]; ok && j != i {
			add(leaderEntry(i, l.ID), "name", "姓名“%s”是县领导 %s 的 id", l.Name, leaderLabel(d.Leaders[j], j))
		}
	}
	return ps
}

func unitEntry(i int, id string) string {
	if id == "" {
		return fmt.Sprintf("第%d个单位", i+1)
	}
	return "单位 " + id
}

func leaderEntry(i int, id string) string {
	if id == "" {
		return fmt.Sprintf("第%d位县领导", i+1)
	}
	return "县领导 " + id
}

func unitLabel(u Unit, i int) string {
	if u.ID == "" {
		return fmt.Sprintf("（第%d个）", i+1)
	}
	return u.ID
}

func leaderLabel(l Leader, i int) string {
	if l.ID == "" {
		return fmt.Sprintf("（第%d位）", i+1)
	}
	return l.ID
}

func firstDuplicate(ss []string) string {
	seen := map[string]bool{}
	for _, s := range ss {
		if s != "" && seen[s] {
			return s
		}
		seen[s] = true
	}
	return ""
}

// ResolveUnit finds the unit designated by an id, its name or any of its aliases
// (surrounding spaces ignored, otherwise exact).
func (d *Directory) ResolveUnit(nameOrIDOrAlias string) (Unit, bool) {
	s := strings.TrimSpace(nameOrIDOrAlias)
	if s == "" {
		return Unit{}, false
	}
	if u, ok := d.Unit(s); ok {
		return u, true
	}
	for _, u := range d.Units {
		if u.Name == s {
			return u, true
		}
		for _, a := range u.Aliases {
			if a == s {
				return u, true
			}
		}
	}
	return Unit{}, false
}

// ResolveLeader finds a deputy county head by id or name (surrounding spaces ignored).
func (d *Directory) ResolveLeader(idOrName string) (Leader, bool) {
	s := strings.TrimSpace(idOrName)
	if s == "" {
		return Leader{}, false
	}
	if l, ok := d.Leader(s); ok {
		return l, true
	}
	for _, l := range d.Leaders {
		if l.Name == s {
			return l, true
		}
	}
	return Leader{}, false
}

// DeputyOf returns the deputy county head whose portfolio contains the unit id.
// Some bodies (e.g. Party departments) have none.
func (d *Directory) DeputyOf(unitID string) (Leader, bool) {
	for _, l := range d.Leaders {
		for _, id := range l.Units {
			if id == unitID {
				return l, true
			}
		}
	}
	return Leader{}, false
}

// FollowLead gives a reassignment to a new lead unit the deputy whose portfolio holds
// that unit, unless the request names a deputy itself: the deputy in charge follows
// the lead unit.
func (d *Directory) FollowLead(req *task.Request) {
	if req.Lead == nil || req.Deputy != nil {
		return
	}
	if l, ok := d.DeputyOf(req.Lead.ID); ok {
		req.Deputy = &relay.UnitRef{ID: l.ID, Name: l.Name}
	}
}

// Unit returns the unit with the given id.
func (d *Directory) Unit(id string) (Unit, bool) {
	for _, u := range d.Units {
		if u.ID == id {
			return u, true
		}
	}
	return Unit{}, false
}

// Leader returns the deputy county head with the given id.
func (d *Directory) Leader(id string) (Leader, bool) {
	for _, l := range d.Leaders {
		if l.ID == id {
			return l, true
		}
	}
	return Leader{}, false
}

// RelayLeaders returns every deputy county head as the plan carries them.
func (d *Directory) RelayLeaders() []relay.Leader {
	out := make([]relay.Leader, 0, len(d.Leaders))
	for _, l := range d.Leaders {
		out = append(out, relay.Leader{ID: l.ID, Name: l.Name, Title: l.Title})
	}
	return out
}

// ResolveHead returns the county head when idOrName is the head's id or name.
func (d *Directory) ResolveHead(idOrName string) (Leader, bool) {
	s := strings.TrimSpace(idOrName)
	if d.Head == nil || s == "" || (s != d.Head.ID && s != d.Head.Name) {
		return Leader{}, false
	}
	return *d.Head, true
}

// NoticeContact is the 联络员 printed on a notice to a unit or a leader (toKind
// relay.ToUnit or relay.ToLeader); nil when the directory names none.
func (d *Directory) NoticeContact(toKind, id string) *relay.Contact {
	var c *Contact
	switch toKind {
	case relay.ToUnit:
		if u, ok := d.Unit(id); ok {
			c = u.Contact
		}
	case relay.ToLeader:
		if l, ok := d.Leader(id); ok {
			c = l.Contact
		}
	}
	if c == nil || (c.Name == "" && c.Mobile == "") {
		return nil
	}
	return &relay.Contact{Name: c.Name, Mobile: c.Mobile}
}

// Contacts are the units' 联络员 by unit id, for the 台账.
func (d *Directory) Contacts() map[string]relay.Contact {
	out := map[string]relay.Contact{}
	for _, u := range d.Units {
		if c := d.NoticeContact(relay.ToUnit, u.ID); c != nil {
			out[u.ID] = *c
		}
	}
	return out
}

// checkID checks the id of entry i: present and well formed, and then records it in
// seen. It returns the index of an earlier entry with the same id, or -1.
func checkID(add func(entry, field, format string, args ...any), entry, id string, i int, seen map[string]int) int {
	switch {
	case id == "":
		add(entry, "id", "缺少 id")
	case !idPattern.MatchString(id):
		add(entry, "id", "id“%s”只能由字母、数字和 . _ - 组成，不超过 64 个字符", id)
	default:
		if j, dup := seen[id]; dup {
			return j
		}
		seen[id] = i
	}
	return -1
}
