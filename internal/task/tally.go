package task

import (
	"fmt"

	"taskrelay/internal/relay"
)

// Bucket is where a task counts: by its light while open, apart once closed or
// withdrawn. The board's chips, the status summary line and the report's totals all
// count by it.
type Bucket string

const (
	BucketRed       Bucket = "red"
	BucketYellow    Bucket = "yellow"
	BucketGreen     Bucket = "green"
	BucketClosed    Bucket = "closed"
	BucketWithdrawn Bucket = "withdrawn"
)

// Buckets are the buckets in the order boards and lines show them.
var Buckets = []Bucket{BucketRed, BucketYellow, BucketGreen, BucketClosed, BucketWithdrawn}

// BucketOf is the bucket of a task in state st showing light (the state decides first:
// a summary written before closed tasks lost their light still counts as closed).
func BucketOf(st relay.State, light relay.Light) Bucket {
	switch {
	case st == relay.StateClosed:
		return BucketClosed
	case st == relay.StateWithdrawn:
		return BucketWithdrawn
	case light == relay.Red:
		return BucketRed
	case light == relay.Yellow:
		return BucketYellow
	}
	return BucketGreen
}

// Tally counts tasks by bucket.
type Tally struct {
	Red, Yellow, Green, Closed, Withdrawn int
}

// Add counts one task.
func (t *Tally) Add(st relay.State, light relay.Light) { *t.Of(BucketOf(st, light))++ }

// Of is the count of one bucket.
func (t *Tally) Of(b Bucket) *int {
	switch b {
	case BucketRed:
		return &t.Red
	case BucketYellow:
		return &t.Yellow
	case BucketClosed:
		return &t.Closed
	case BucketWithdrawn:
		return &t.Withdrawn
	}
	return &t.Green
}

// Total is every task counted.
func (t Tally) Total() int { return t.Red + t.Yellow + t.Green + t.Closed + t.Withdrawn }

// Line is the tally in words: the open tasks by light, the closed and withdrawn apart.
func (t Tally) Line() string {
	return fmt.Sprintf("共 %d 项：红灯 %d，黄灯 %d，绿灯 %d；已办结 %d、已撤销 %d", t.Total(), t.Red, t.Yellow, t.Green, t.Closed, t.Withdrawn)
}
