package accounts

import (
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Usernames are compared by their skeleton, so that an account cannot be made to pass
// for another: NFKC first (full-width ＡＤＭＩＮ reads as ADMIN), lower case, then a small
// fold of the characters a username may hold that look alike on a page (1, i and l;
// 0 and o; rn and m; vv and w; _ and -). Two names with one skeleton are one name.
var confusables = strings.NewReplacer(
	"1", "l", "i", "l",
	"0", "o",
	"rn", "m", "vv", "w",
	"_", "-",
)

// Skeleton is the form of a username that look-alike names share.
func Skeleton(username string) string {
	return confusables.Replace(strings.ToLower(norm.NFKC.String(username)))
}

// lookalike names the existing account (removed ones included: their names are not
// reused) that name would pass for, if any.
func lookalike(users map[string]User, name string) (string, bool) {
	sk := Skeleton(name)
	for other := range users {
		if Skeleton(other) == sk {
			return other, true
		}
	}
	return "", false
}

// ErrLookalike refuses a username an existing account's name would be taken for.
type ErrLookalike struct{ Name, Existing string }

func (e *ErrLookalike) Error() string {
	if e.Name == e.Existing {
		return fmt.Sprintf("用户 %s 已存在", e.Name)
	}
	return fmt.Sprintf("用户名 %s 与已有用户 %s 仅大小写或形近字符不同，容易被误认，请换一个用户名", e.Name, e.Existing)
}
