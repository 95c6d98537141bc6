package store

import (
	"context"
	"fmt"
	"strings"
	"unicode"
)

// TextIndex names a ranked full-text index kept beside a table, created by a migration in the
// shape each engine needs:
//   - SQLite: an FTS5 table with the text columns a, b, c and d (porter stemming), whose rowid
//     is the indexed row's key;
//   - PostgreSQL: a table (rowid BIGINT PRIMARY KEY, document TSVECTOR) with a GIN index.
//
// The four texts weigh from a (most) to d (least), as PostgreSQL's setweight A to D.
type TextIndex string

// Put indexes the texts of one row, replacing what the index held for it.
func (ix TextIndex) Put(ctx context.Context, c Conn, rowid int64, a, b, cc, d string) error {
	var err error
	if c.dialect == Postgres {
		_, err = c.Exec(ctx, `INSERT INTO `+string(ix)+` (rowid, document) VALUES (?,
			setweight(to_tsvector('english', ?), 'A') || setweight(to_tsvector('english', ?), 'B') ||
			setweight(to_tsvector('english', ?), 'C') || setweight(to_tsvector('english', ?), 'D'))
			ON CONFLICT (rowid) DO UPDATE SET document = excluded.document`, rowid, a, b, cc, d)
	} else {
		if _, err = c.Exec(ctx, `DELETE FROM `+string(ix)+` WHERE rowid = ?`, rowid); err == nil {
			_, err = c.Exec(ctx, `INSERT INTO `+string(ix)+` (rowid, a, b, c, d) VALUES (?, ?, ?, ?, ?)`, rowid, a, b, cc, d)
		}
	}
	if err != nil {
		return fmt.Errorf("index text of %s %d: %w", ix, rowid, err)
	}
	return nil
}

// Add indexes the texts of a row that the index does not hold yet, such as one just inserted:
// Put without first removing what was there.
func (ix TextIndex) Add(ctx context.Context, c Conn, rowid int64, a, b, cc, d string) error {
	if c.dialect == Postgres {
		return ix.Put(ctx, c, rowid, a, b, cc, d)
	}
	if _, err := c.Exec(ctx, `INSERT INTO `+string(ix)+` (rowid, a, b, c, d) VALUES (?, ?, ?, ?, ?)`, rowid, a, b, cc, d); err != nil {
		return fmt.Errorf("index text of %s %d: %w", ix, rowid, err)
	}
	return nil
}

// Match returns a query for the rows whose texts hold every word of words (after stemming),
// as the columns (rowid, rank), where a lower rank is a better match; and its arguments. ok is
// false when words has nothing to search for (punctuation, or only common words like "the").
func (ix TextIndex) Match(c Conn, words string) (query string, args []any, ok bool) {
	terms := searchTerms(words)
	if len(terms) == 0 {
		return "", nil, false
	}
	if c.dialect == Postgres {
		q := strings.Join(terms, " & ")
		return `SELECT rowid, -ts_rank(document, to_tsquery('english', ?)) AS rank FROM ` + string(ix) +
			` WHERE document @@ to_tsquery('english', ?)`, []any{q, q}, true
	}
	// Each term is quoted, so FTS5 reads it as a word and never as query syntax; side by side
	// they must all match. bm25 weights mirror PostgreSQL's default 1.0, 0.4, 0.2, 0.1.
	q := `"` + strings.Join(terms, `" "`) + `"`
	return `SELECT rowid, bm25(` + string(ix) + `, 10.0, 4.0, 2.0, 1.0) AS rank FROM ` + string(ix) +
		` WHERE ` + string(ix) + ` MATCH ?`, []any{q}, true
}

// searchTerms splits text into lower-case words of letters and digits, leaving out the
// commonest English words, which PostgreSQL's english configuration ignores and FTS5 would
// otherwise insist on.
func searchTerms(text string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if !stopWords[w] && len(out) < maxSearchTerms {
			out = append(out, w)
		}
	}
	return out
}

// maxSearchTerms bounds the work one search can ask of the index.
const maxSearchTerms = 16

var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about after all also am an and any are as at be been before
		being but by can could did do does doing during each few for from had has have having he her
		here hers him his how i if in into is it its me more most my no nor not of off on once only or
		other our out over own same she should so some such than that the their them then there these
		they this those through to too under until up very was we were what when where which while who
		whom why will with would you your`) {
		m[w] = true
	}
	return m
}()
