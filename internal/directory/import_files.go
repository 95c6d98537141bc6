package directory

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
)

// Files is an ORUK 3.0 feed saved to files: each path a JSON file or a folder of them (read
// in name order, sub-folders too). A file holds a list page (the HSDS page envelope with
// contents), a list of services, or one full /services/{id} record. When a service comes both
// in a list page and as a full record, the full record is the one imported, since list pages
// nest less.
type Files []string

// maxFileBytes bounds one file of a saved feed: a list page of MaxPageSize services at most.
const maxFileBytes = 512 << 20

// Read sends every service in the files, each id once.
func (f Files) Read(ctx context.Context, r Receiver) error {
	var names []string
	for _, p := range f {
		found, err := jsonFiles(p)
		if err != nil {
			return err
		}
		names = append(names, found...)
	}
	var records []fileRecord
	for _, name := range names {
		records = append(records, readFeedFile(name)...)
	}
	records = preferFull(records)
	r.Expect(len(records))
	for _, rec := range records {
		if err := r.Receive(ctx, rec.Record); err != nil {
			return err
		}
	}
	return nil
}

// jsonFiles lists path if it is a file, or the .json files under it if it is a folder.
func jsonFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "Cannot read %s: %v", path, unwrapPath(err))
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	var names []string
	err = filepath.WalkDir(path, func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.EqualFold(filepath.Ext(p), ".json") {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", path, err)
	}
	slices.Sort(names)
	return names, nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// fileRecord is a record and whether it came from a list page.
type fileRecord struct {
	Record
	listed bool
}

// readFeedFile splits one saved file into records; a file that is not JSON is one rejection.
func readFeedFile(name string) []fileRecord {
	b, err := readCapped(name)
	if err != nil {
		return []fileRecord{{Record: Record{Where: name, Err: err}}}
	}
	items, listed, err := splitFeedJSON(b)
	if err != nil {
		return []fileRecord{{Record: Record{Where: name, Err: err}}}
	}
	out := make([]fileRecord, len(items))
	for i, item := range items {
		where := name
		if listed {
			where = fmt.Sprintf("%s, item %d", name, i+1)
		}
		out[i] = fileRecord{Record: Record{ID: recordID(item), Where: where, JSON: item}, listed: listed}
	}
	return out
}

func readCapped(name string) ([]byte, error) {
	info, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if info.Size() > maxFileBytes {
		return nil, fmt.Errorf("file is %d bytes; a saved page may be at most %d", info.Size(), maxFileBytes)
	}
	return os.ReadFile(name)
}

// splitFeedJSON reads a page envelope, a list, or one record, and says whether it was a list.
func splitFeedJSON(b []byte) (items []json.RawMessage, listed bool, err error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		err = json.Unmarshal(b, &items)
		return items, true, feedJSONError(err)
	}
	var page struct {
		Contents *[]json.RawMessage `json:"contents"`
	}
	if err := json.Unmarshal(b, &page); err != nil {
		return nil, false, feedJSONError(err)
	}
	if page.Contents != nil {
		return *page.Contents, true, nil
	}
	return []json.RawMessage{b}, false, nil
}

func feedJSONError(err error) error {
	if err == nil {
		return nil
	}
	if ae, ok := apperr.As(decodeError(err)); ok {
		return fmt.Errorf("%s", strings.TrimPrefix(ae.Message, "There is a problem: "))
	}
	return err
}

// recordID reads a record's id, or "" when it has none that reads as text.
func recordID(b []byte) string {
	var head struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(b, &head) != nil {
		return ""
	}
	id, _ := head.ID.(string)
	return id
}

// preferFull keeps one record per id, in first-seen order: the last full record, or else the
// last listed one. Records without an id are all kept, to be rejected.
func preferFull(records []fileRecord) []fileRecord {
	at := map[string]int{}
	var out []fileRecord
	for _, r := range records {
		i, seen := at[r.ID]
		switch {
		case r.ID == "" || !seen:
			if r.ID != "" {
				at[r.ID] = len(out)
			}
			out = append(out, r)
		case !r.listed || out[i].listed:
			out[i] = r
		}
	}
	return out
}
