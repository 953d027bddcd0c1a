package tasklist

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"taskrelay/examples"
	"taskrelay/internal/directory"
)

// A path typed wrong, or a folder given for a file, is said in Chinese (文件不存在,
// 文件夹), not with the system's English.
func TestUnreadableListSaidInChinese(t *testing.T) {
	d, err := directory.Parse(examples.DirectoryFile, examples.Directory)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, c := range []struct{ path, want string }{
		{filepath.Join(dir, "清单.yaml"), "文件不存在，请检查路径和文件名"},
		{dir, "这是一个文件夹"},
	} {
		_, err := ParseFile(c.path, d, MeetingFlags{})
		if err == nil || !strings.Contains(err.Error(), c.path+": 无法读取任务清单：") || !strings.Contains(err.Error(), c.want) ||
			strings.Contains(err.Error(), "no such file") || strings.Contains(err.Error(), "is a directory") {
			t.Errorf("%s: %v", c.path, err)
		}
	}
	// A relative path says where it was looked for.
	wd, _ := os.Getwd()
	if _, err := ParseFile("no-such-list.yaml", d, MeetingFlags{}); err == nil || !strings.Contains(err.Error(), wd) {
		t.Errorf("relative: %v", err)
	}
}
