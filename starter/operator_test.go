package main

import (
	"os"
	"slices"
	"testing"

	"taskrelay/internal/actor"
)

func TestTakeOperator(t *testing.T) {
	t.Setenv(actor.OperatorEnv, "")
	for _, c := range []struct {
		in   []string
		want []string
		op   string
	}{
		{[]string{"--operator", "zhang", "ack", "T", "--unit", "czj"}, []string{"ack", "T", "--unit", "czj"}, "zhang"},
		{[]string{"ack", "T", "--operator=li"}, []string{"ack", "T"}, "li"},
		{[]string{"status", "M"}, []string{"status", "M"}, ""},
	} {
		os.Setenv(actor.OperatorEnv, "")
		got, err := takeOperator(c.in)
		if err != nil || !slices.Equal(got, c.want) || os.Getenv(actor.OperatorEnv) != c.op {
			t.Errorf("%v: got %v, %q, %v", c.in, got, os.Getenv(actor.OperatorEnv), err)
		}
	}
	if _, err := takeOperator([]string{"ack", "--operator"}); err == nil {
		t.Error("--operator without a name was accepted")
	}
}
