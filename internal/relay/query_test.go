package relay

import (
	"testing"

	"github.com/temporalio/sqlparser"
)

// The engine parses list filters with sqlparser (its visibility query converter):
// each hostile value must come back as one string literal, unchanged, and the query
// must keep exactly the conditions it was built from.
func TestQueryQuotesHostileValues(t *testing.T) {
	hostile := []string{
		`x' OR RelayState != '`,
		`x\' OR 1=1 OR RelayMeeting = '`,
		`trailing backslash\`,
		`\\'`,
		`''`,
		`"double" and 'single'`,
		"县政府办公室\x00\n\t%_",
		"",
	}
	for _, v := range hostile {
		q := And(Eq(SAUnits, v), Or(Ne(SAState, v), In(SALight, v, "red")))
		stmt, err := sqlparser.Parse("select * from t where " + q)
		if err != nil {
			t.Fatalf("%q: query %s does not parse: %v", v, q, err)
		}
		var got []string
		conds := 0
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			switch n := n.(type) {
			case *sqlparser.ComparisonExpr:
				conds++
			case *sqlparser.SQLVal:
				got = append(got, string(n.Val))
			}
			return true, nil
		}, stmt.(*sqlparser.Select).Where)
		if conds != 3 {
			t.Errorf("%q: query %s has %d conditions, want 3", v, q, conds)
		}
		want := []string{v, v, v, "red"}
		if len(got) != len(want) {
			t.Fatalf("%q: query %s holds values %q, want %q", v, q, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%q: value %d reads back as %q", v, i, got[i])
			}
		}
	}
}

func TestQueryShape(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{And(), ""},
		{And("", Eq(SAState, StateClosed), ""), "RelayState = 'closed'"},
		{Or(), ""},
		{And(Eq(SAWorkflowType, TaskWorkflowName), Or(Eq(SALight, Red), Lt(SADeadline, "2027-01-01T00:00:00+08:00"))),
			"WorkflowType = '" + TaskWorkflowName + "' AND (RelayLight = 'red' OR RelayDeadline < '2027-01-01T00:00:00+08:00')"},
		{In(SALight, Red, Yellow), "RelayLight IN ('red', 'yellow')"},
		{Gt(SADeadline, "a"), "RelayDeadline > 'a'"},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
}
