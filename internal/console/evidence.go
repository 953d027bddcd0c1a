package console

import (
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"taskrelay/internal/evidence"
	"taskrelay/internal/relay"
)

// FilesField is the form field of the files attached to an action.
const FilesField = "files"

// acceptAttr lists the accepted files for the browser's file picker; the server
// sniffs the content whatever the picker allowed.
const acceptAttr = ".pdf,.ofd,.doc,.docx,.xls,.xlsx,.wps,.jpg,.jpeg,.png,.zip"

// uploads are the files of a multipart form (a browser sends an empty part when no
// file was chosen). They were spooled to disk by the form parser beyond 1 MiB.
func uploads(form *multipart.Form) []evidence.Upload {
	if form == nil {
		return nil
	}
	var out []evidence.Upload
	for _, fh := range form.File[FilesField] {
		if fh.Filename == "" && fh.Size == 0 {
			continue
		}
		out = append(out, evidence.Upload{Name: fh.Filename, Open: func() (io.ReadCloser, error) { return fh.Open() }})
	}
	return out
}

// download serves one file of a task to whoever may see the task, as an attachment
// with its sniffed type, never inline.
func (s *Server) download(q *req) {
	t, ok := s.loadTask(q, q.r.PathValue("id"))
	if !ok {
		return
	}
	if s.cfg.Evidence.Store == nil {
		s.fail(q, http.StatusNotFound, "未配置文件存储")
		return
	}
	a, r, err := s.cfg.API.Attachment(q.ctx, s.cfg.Evidence.Store, t, strings.ToLower(q.r.PathValue("sha")))
	if err != nil {
		s.fail(q, http.StatusNotFound, err.Error())
		return
	}
	defer r.Close()
	ft, ok := relay.FileTypeOf(a.Type)
	if !ok {
		ft.MIME = "application/octet-stream"
	}
	h := q.w.Header()
	h.Set("Content-Type", ft.MIME)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	q.w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(q.w, r); err != nil && s.cfg.Log != nil {
		s.cfg.Log.Warn("附件下载中断")
	}
}

// FileURL is where a task's file is downloaded.
func FileURL(taskID, sha string) string { return TaskURL(taskID) + "/files/" + sha }
