package directory

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
)

// Limits on what an upload may unpack to, so that a small zip cannot fill the disk.
const (
	MaxUploadBytes   = 256 << 20 // bytes of files, after unzipping
	MaxUploadEntries = 20_000    // files, after unzipping
)

// Upload is files a user sent to import, kept in a folder of its own until an import has read
// them: ORUK JSON files (list pages or full service records), or zips holding those or an HSDS
// tabular package (datapackage.json and its CSV files).
type Upload struct {
	dir     string
	bytes   int64
	entries int
}

// NewUpload makes the folder an upload is kept in.
func NewUpload() (*Upload, error) {
	dir, err := os.MkdirTemp("", "linkwell-import-*")
	if err != nil {
		return nil, fmt.Errorf("new upload: %w", err)
	}
	return &Upload{dir: dir}, nil
}

// Remove deletes the upload's folder.
func (u *Upload) Remove() error { return os.RemoveAll(u.dir) }

// Add keeps one uploaded file of size bytes called name: a .json file as it is, a .zip
// unpacked. Anything else, or more than the limits allow, is refused with a message that
// names the file.
func (u *Upload) Add(name string, r io.ReaderAt, size int64) error {
	base := filepath.Base(filepath.Clean("/" + strings.ReplaceAll(name, `\`, "/")))
	switch strings.ToLower(filepath.Ext(base)) {
	case ".json":
		return u.keep(fmt.Sprintf("upload-%d-%s", u.entries, base), io.NewSectionReader(r, 0, size), name)
	case ".zip":
		return u.unzip(name, r, size)
	}
	return apperr.Fields{{Field: "files", Message: fmt.Sprintf("%s is not a .json or .zip file", base)}}.Err()
}

func (u *Upload) unzip(name string, r io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return tooBad(name, "is not a zip file that can be opened")
	}
	folder := fmt.Sprintf("zip-%d", u.entries)
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || !wanted(f.Name) {
			continue
		}
		if !filepath.IsLocal(f.Name) {
			return tooBad(name, "holds a file whose path leads outside the zip ("+f.Name+")")
		}
		rc, err := f.Open()
		if err != nil {
			return tooBad(name, "holds a file that cannot be read ("+f.Name+")")
		}
		err = u.keep(filepath.Join(folder, f.Name), rc, name)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// wanted reports whether a file in a zip is one an import reads: JSON and CSV files, apart
// from the hidden files some zip tools add.
func wanted(path string) bool {
	base := filepath.Base(path)
	ext := strings.ToLower(filepath.Ext(base))
	return (ext == ".json" || ext == ".csv") && !strings.HasPrefix(base, ".") && !strings.Contains(path, "__MACOSX")
}

// keep copies r to path in the upload's folder, counting it against the limits.
func (u *Upload) keep(path string, r io.Reader, from string) error {
	if u.entries++; u.entries > MaxUploadEntries {
		return tooBad(from, fmt.Sprintf("takes the upload over %d files", MaxUploadEntries))
	}
	full := filepath.Join(u.dir, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
		return fmt.Errorf("keep upload: %w", err)
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("keep upload: %w", err)
	}
	// Read one byte past what is left, to tell "exactly at the limit" from "over it".
	left := MaxUploadBytes - u.bytes
	n, err := io.Copy(f, io.LimitReader(r, left+1))
	u.bytes += n
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case u.bytes > MaxUploadBytes:
		return tooBad(from, fmt.Sprintf("takes the upload over %d MB once unzipped", MaxUploadBytes>>20))
	case errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat):
		return tooBad(from, "is damaged: "+err.Error())
	case err != nil:
		return fmt.Errorf("keep upload: %w", err)
	}
	return nil
}

func tooBad(name, why string) error {
	return apperr.Fields{{Field: "files", Message: filepath.Base(name) + " " + why}}.Err()
}

// Source is what the upload holds, to import: the HSDS tabular package when it holds a
// datapackage.json, or else its ORUK JSON files. An upload with neither, or with more than one
// package, is refused.
func (u *Upload) Source() (Source, error) {
	var packages, files []string
	err := filepath.WalkDir(u.dir, func(p string, e fs.DirEntry, err error) error {
		switch {
		case err != nil || e.IsDir():
		case e.Name() == "datapackage.json":
			packages = append(packages, filepath.Dir(p))
		case strings.EqualFold(filepath.Ext(p), ".json"):
			files = append(files, p)
		}
		return err
	})
	switch {
	case err != nil:
		return nil, fmt.Errorf("read upload: %w", err)
	case len(packages) > 1:
		return nil, apperr.Fields{{Field: "files", Message: "The upload holds more than one HSDS package (datapackage.json): import one package at a time"}}.Err()
	case len(packages) == 1:
		return Package(packages[0]), nil
	case len(files) == 0:
		return nil, apperr.Fields{{Field: "files", Message: "The upload holds no JSON files and no HSDS package (datapackage.json)"}}.Err()
	}
	return Files{u.dir}, nil
}

// Opener opens the upload for a background import and removes it once the import has read it.
func (u *Upload) Opener() Opener {
	return func(context.Context) (Source, error) {
		src, err := u.Source()
		if err != nil {
			u.Remove()
			return nil, err
		}
		return removeAfter{src, u}, nil
	}
}

// removeAfter reads a source and then removes the upload it came from.
type removeAfter struct {
	Source
	u *Upload
}

func (s removeAfter) Read(ctx context.Context, r Receiver) error {
	defer s.u.Remove()
	return s.Source.Read(ctx, r)
}
