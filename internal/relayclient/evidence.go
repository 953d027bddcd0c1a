package relayclient

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/google/uuid"

	"taskrelay/internal/evidence"
	"taskrelay/internal/relay"
	"taskrelay/internal/task"
)

// Evidence is what acting with files needs: the store and the office's rule.
type Evidence struct {
	Store *evidence.Store
	// Require: a completion must carry at least one file (TASKRELAY_REQUIRE_EVIDENCE).
	Require bool
}

// ErrEvidenceRequired refuses a completion without files when evidence is required.
var ErrEvidenceRequired = errors.New("县政府督查室要求报送办结须附佐证材料，请至少上传一个文件")

// ActWithFiles stores an action's files, then sends the action with their hashes (the
// files reach the store before the update). A refused action, or one that fails,
// removes the files this call wrote, so nothing of it stays reachable.
func (c *Client) ActWithFiles(ctx context.Context, ev Evidence, taskID, action, requestID string, req task.Request, files []evidence.Upload) (relay.TaskView, error) {
	if requestID == "" {
		requestID = uuid.NewString()
	}
	if ev.Require && action == relay.UpdateComplete && len(files) == 0 {
		return relay.TaskView{}, ErrEvidenceRequired
	}
	if len(files) > 0 && ev.Store == nil {
		return relay.TaskView{}, errors.New("未配置文件存储，不能上传附件")
	}
	var stored []evidence.Stored
	if len(files) > 0 {
		var err error
		if stored, err = ev.Store.PutAll(ctx, files); err != nil {
			return relay.TaskView{}, err
		}
		req.Attachments = evidence.Attachments(stored)
	}
	v, err := c.ActOnce(ctx, taskID, action, requestID, req)
	if err != nil && len(stored) > 0 {
		if derr := ev.Store.Discard(context.WithoutCancel(ctx), stored); derr != nil {
			err = fmt.Errorf("%w（清理已上传的附件失败：%v）", err, derr)
		}
	}
	return v, err
}

// Attachment finds a file on a task and opens it. The caller authorises the reader
// for the task first; a hash not on the task is not found, whatever the store holds.
func (c *Client) Attachment(ctx context.Context, store *evidence.Store, t relay.TaskView, sha string) (relay.AttachmentView, io.ReadCloser, error) {
	for _, a := range t.Attachments {
		if a.SHA256 == sha {
			r, err := store.Open(ctx, sha)
			return a, r, err
		}
	}
	return relay.AttachmentView{}, nil, fmt.Errorf("任务 %s 没有附件 %s", t.ID, sha)
}
