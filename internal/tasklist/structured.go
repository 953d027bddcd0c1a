package tasklist

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// YAML and JSON share one shape:
//
//	meeting: {id, name, date}
//	items:   [{no, title, requirements, lead, co, leader, deadline, feedback, milestones}]
//
// Both are decoded strictly by their libraries, one field at a time, so that an
// unknown or mistyped field is reported with the item and field it belongs to and
// the rest of the list is still checked.

// value decodes one field's value into a Go value.
type value func(v any) error

// object is a decoded mapping, keys in file order.
type object struct {
	keys []string
	vals map[string]value
	dups []string // keys given more than once
}

var (
	topFields     = []string{"meeting", "items"}
	meetingFields = []string{"id", "name", "date"}
	itemFields    = []string{"no", "title", "requirements", "lead", "co", "leader", "deadline", "feedback", "milestones"}
)

func known(fields []string, k string) bool {
	for _, f := range fields {
		if f == k {
			return true
		}
	}
	return false
}

// structured turns the top-level object into a meeting and items. items(i) returns
// the i-th item object, or an error when it is not an object.
func structured(c *collector, top object, nItems int, itemAt func(int) (object, error), meeting func() (object, error), hasItems bool) (rawMeeting, []rawItem, bool) {
	var m rawMeeting
	for _, k := range top.keys {
		if !known(topFields, k) {
			c.add(0, k, "未知字段（顶层只能有 meeting 和 items）")
		}
	}
	if _, ok := top.vals["meeting"]; ok {
		mo, err := meeting()
		if err != nil {
			c.add(0, "meeting", "应为包含 id、name、date 的映射")
			m.failed = map[string]bool{"id": true, "name": true, "date": true}
		} else {
			for _, k := range mo.keys {
				if !known(meetingFields, k) {
					c.add(0, "meeting."+k, "未知字段（会议只有 id、name、date）")
				}
			}
			for _, k := range mo.dups {
				c.add(0, "meeting."+k, "字段重复")
			}
			m.failed = map[string]bool{}
			m.ID = c.meetingStr(&m, mo, "id")
			m.Name = c.meetingStr(&m, mo, "name")
			m.Date = c.meetingStr(&m, mo, "date")
		}
	}
	if !hasItems {
		return m, nil, true // reported as an empty list
	}
	if nItems > MaxItems {
		c.add(0, "items", "任务事项过多（%d 项），一份任务清单不得超过 %d 项", nItems, MaxItems)
		return m, nil, false
	}
	items := make([]rawItem, 0, nItems)
	for i := 0; i < nItems; i++ {
		it := rawItem{pos: i + 1}
		o, err := itemAt(i)
		if err != nil {
			c.add(it.pos, "", "第%d条任务事项应为映射（包含 no、title、lead、deadline 等字段）", it.pos)
			it.fail("no")
			for _, f := range itemFields {
				it.fail(f)
			}
			items = append(items, it)
			continue
		}
		// The number first, so the other problems can name the item.
		if v, ok := o.vals["no"]; ok {
			var n int
			if err := v(&n); err == nil {
				it.no = n
				if n <= 0 {
					it.no, it.noText = 0, strconv.Itoa(n)
				}
			} else {
				var s string
				if err := v(&s); err == nil {
					s = strings.TrimSpace(s)
					if n, err := strconv.Atoi(s); err == nil && n > 0 {
						it.no = n
					} else {
						it.noText = s
					}
				} else {
					c.addItem(&it, "no", "序号应为正整数")
					it.fail("no")
				}
			}
		}
		for _, k := range o.keys {
			if !known(itemFields, k) {
				c.addItem(&it, k, "未知字段（任务事项的字段为 %s）", strings.Join(itemFields, "、"))
			}
		}
		for _, k := range o.dups {
			c.addItem(&it, k, "字段重复")
		}
		it.title = c.itemStr(&it, o, "title")
		it.requirements = c.itemStr(&it, o, "requirements")
		it.lead = c.itemStr(&it, o, "lead")
		it.leader = c.itemStr(&it, o, "leader")
		it.deadline = c.itemStr(&it, o, "deadline")
		it.feedback = c.itemStr(&it, o, "feedback")
		if v, ok := o.vals["milestones"]; ok {
			c.decodeMilestones(&it, v)
		}
		if v, ok := o.vals["co"]; ok {
			var list []string
			if err := v(&list); err == nil {
				it.co = list
			} else {
				var s string
				if err := v(&s); err == nil {
					it.co = splitUnits(s)
				} else {
					c.addItem(&it, "co", "配合单位应为单位名称的列表")
					it.fail("co")
				}
			}
		}
		items = append(items, it)
	}
	return m, items, true
}

// meetingStr decodes a text field of the meeting.
func (c *collector) meetingStr(m *rawMeeting, o object, key string) string {
	v, ok := o.vals[key]
	if !ok {
		return ""
	}
	var s string
	if err := v(&s); err != nil {
		c.add(0, "meeting."+key, "应为文本")
		m.failed[key] = true
		return ""
	}
	return s
}

// itemStr decodes a text field of an item.
func (c *collector) itemStr(it *rawItem, o object, key string) string {
	v, ok := o.vals[key]
	if !ok {
		return ""
	}
	var s string
	if err := v(&s); err != nil {
		c.addItem(it, key, "应为文本")
		it.fail(key)
		return ""
	}
	return s
}

// --- YAML ---

func decodeYAML(c *collector, data []byte) (m rawMeeting, items []rawItem, ok bool) {
	var root yaml.Node
	err := safely(func() error { return yaml.Unmarshal(data, &root) })
	if err != nil {
		c.add(0, "", "YAML 格式错误: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return m, nil, false
	}
	if root.Kind == 0 || (root.Kind == yaml.DocumentNode && len(root.Content) == 0) {
		c.add(0, "", "文件为空")
		return m, nil, false
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode {
		doc = doc.Content[0]
	}
	top, err := yamlObject(doc)
	if err != nil {
		if doc.Kind == yaml.ScalarNode && doc.Tag == "!!null" {
			c.add(0, "", "文件为空")
		} else {
			c.add(0, "", "顶层应为包含 meeting 和 items 的映射")
		}
		return m, nil, false
	}
	var seq *yaml.Node
	hasItems := false
	if v := yamlField(doc, "items"); v != nil {
		v = deref(v)
		switch {
		case v.Kind == yaml.SequenceNode:
			seq, hasItems = v, len(v.Content) > 0
		case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
		default:
			c.add(0, "items", "应为任务事项的列表")
			return m, nil, false
		}
	}
	n := 0
	if seq != nil {
		n = len(seq.Content)
	}
	return structured(c, top, n,
		func(i int) (object, error) { return yamlObject(seq.Content[i]) },
		func() (object, error) { return yamlObject(yamlField(doc, "meeting")) },
		hasItems)
}

// deref follows YAML aliases (*name) to the node they stand for.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func yamlField(mapping *yaml.Node, key string) *yaml.Node {
	mapping = deref(mapping)
	if mapping == nil || mapping.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(mapping.Content); i += 2 {
		if k := deref(mapping.Content[i]); k != nil && k.Kind == yaml.ScalarNode && k.Value == key {
			return mapping.Content[i+1]
		}
	}
	return nil
}

var errNotObject = errors.New("not a mapping")

func yamlObject(n *yaml.Node) (object, error) {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return object{}, errNotObject
	}
	o := object{vals: map[string]value{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := deref(n.Content[i])
		key := ""
		if k != nil && k.Kind == yaml.ScalarNode {
			key = k.Value
		} else {
			key = fmt.Sprintf("（第%d行的非文本键）", n.Content[i].Line)
		}
		if _, dup := o.vals[key]; dup {
			o.dups = append(o.dups, key)
			continue
		}
		v := n.Content[i+1]
		o.keys = append(o.keys, key)
		o.vals[key] = func(out any) error {
			return safely(func() error { return v.Decode(out) })
		}
	}
	return o, nil
}

// --- JSON ---

func decodeJSON(c *collector, data []byte) (m rawMeeting, items []rawItem, ok bool) {
	if len(bytes.TrimSpace(data)) == 0 {
		c.add(0, "", "文件为空")
		return m, nil, false
	}
	var raw json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		c.add(0, "", "JSON 格式错误: %s", jsonError(data, err))
		return m, nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		c.add(0, "", "JSON 格式错误: 文档结束后还有多余内容")
		return m, nil, false
	}
	top, err := jsonObject(raw)
	if err != nil {
		c.add(0, "", "顶层应为包含 meeting 和 items 的对象")
		return m, nil, false
	}
	var list []json.RawMessage
	hasItems := false
	if v, ok := top.vals["items"]; ok {
		if err := v(&list); err != nil {
			c.add(0, "items", "应为任务事项的数组")
			return m, nil, false
		}
		hasItems = len(list) > 0
	}
	return structured(c, top, len(list),
		func(i int) (object, error) { return jsonObject(list[i]) },
		func() (object, error) {
			var mr json.RawMessage
			if err := top.vals["meeting"](&mr); err != nil {
				return object{}, err
			}
			return jsonObject(mr)
		},
		hasItems)
}

func jsonObject(raw json.RawMessage) (object, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return object{}, errNotObject
	}
	o := object{vals: map[string]value{}}
	for k, v := range fields {
		o.keys = append(o.keys, k)
		o.vals[k] = func(out any) error { return json.Unmarshal(v, out) }
	}
	sort.Strings(o.keys) // encoding/json's map loses the order; be deterministic
	return o, nil
}

// jsonError describes a JSON syntax error with its line.
func jsonError(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := min(int(se.Offset), len(data))
		line := 1 + bytes.Count(data[:off], []byte("\n"))
		return fmt.Sprintf("第%d行: %s", line, strings.TrimPrefix(se.Error(), "json: "))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "文件不完整（意外结束）"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// safely runs a third-party decoder, turning a panic into an error: a malformed
// file must yield a problem, never bring the process down.
func safely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("解析器内部错误: %v", r)
		}
	}()
	return f()
}
