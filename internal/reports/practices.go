package reports

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/audit"
	"github.com/linkwell/linkwell/internal/store"
)

// PracticeList is a GP practice's registered list size as a service lead entered it.
type PracticeList struct {
	ODS       string
	Size      int
	UpdatedAt time.Time
}

// LargestList is the largest list size accepted: the largest practices in England hold
// around 100,000 people.
const LargestList = 200_000

// practiceCode is a GP practice's ODS code: a letter and five digits, such as B86001.
var practiceCode = regexp.MustCompile(`^[A-Z][0-9]{5}$`)

// PracticeLists returns every list size entered, by ODS code.
func (s *Service) PracticeLists(ctx context.Context) ([]PracticeList, error) {
	var out []PracticeList
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		rows, err := c.Query(ctx, `SELECT practice_ods, list_size, updated_at FROM practice_lists ORDER BY practice_ods`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p PracticeList
			if err := rows.Scan(&p.ODS, &p.Size, &p.UpdatedAt); err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, apperr.Wrap("practice lists", err)
}

// SetPracticeList records a practice's list size as typed, replacing any before it, with an
// audit entry in the same transaction.
func (s *Service) SetPracticeList(ctx context.Context, actor audit.Actor, ods, size string) (PracticeList, error) {
	p, err := parsePracticeList(ods, size)
	if err != nil {
		return p, err
	}
	err = s.db.Tx(ctx, func(c store.Conn) error {
		if _, err := c.Exec(ctx, `INSERT INTO practice_lists (practice_ods, list_size, updated_by, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (practice_ods) DO UPDATE SET list_size = excluded.list_size, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			p.ODS, p.Size, nullUser(actor.UserID), store.Now()); err != nil {
			return err
		}
		return audit.Record(ctx, c, actor, audit.Event{Action: "practice_list.set", RecordType: "practice", RecordID: p.ODS,
			Detail: fmt.Sprintf("list_size=%d", p.Size)})
	})
	return p, apperr.Wrap("set practice list", err)
}

func nullUser(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// parsePracticeList reads an ODS code and a list size as typed, allowing spaces and commas
// in the number, or says what is wrong with each.
func parsePracticeList(ods, size string) (PracticeList, error) {
	p := PracticeList{ODS: strings.ToUpper(strings.TrimSpace(ods))}
	var errs apperr.Fields
	switch {
	case p.ODS == "":
		errs.Add("ods", "Enter the practice's ODS code")
	case !practiceCode.MatchString(p.ODS):
		errs.Add("ods", "Enter an ODS code in the right format, a letter and 5 numbers, like B86001")
	}
	digits := strings.NewReplacer(",", "", " ", "").Replace(size)
	n, err := strconv.Atoi(digits)
	switch {
	case digits == "":
		errs.Add("size", "Enter the number of people registered with the practice")
	case err != nil:
		errs.Add("size", "Number of people registered must be a whole number, like 12500")
	case n < 1 || n > LargestList:
		errs.Add("size", fmt.Sprintf("Number of people registered must be between 1 and %s", thousands(LargestList)))
	}
	p.Size = n
	return p, errs.Err()
}

// thousands writes a whole number with commas between its thousands.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// practiceListSizes reads the list sizes entered, by ODS code.
func practiceListSizes(ctx context.Context, c store.Conn) (map[string]int, error) {
	rows, err := c.Query(ctx, `SELECT practice_ods, list_size FROM practice_lists`)
	if err != nil {
		return nil, fmt.Errorf("practice lists: %w", err)
	}
	return scanCounts(rows)
}

// scanCounts reads (key, count) rows.
func scanCounts(rows *sql.Rows) (map[string]int, error) {
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// practiceSection is each practice's referrals against its registered list, for the practices
// with a list size entered, then the rest together.
func practiceSection(referred, lists map[string]int, practice string, suppress bool) Section {
	var codes []string
	for ods := range lists {
		if practice == "" || ods == practice {
			codes = append(codes, ods)
		}
	}
	slices.Sort(codes)
	counts := make([]int, len(codes), len(codes)+1)
	rest := 0
	for ods, n := range referred {
		if _, ok := lists[ods]; !ok {
			rest += n
		}
	}
	for i, ods := range codes {
		counts[i] = referred[ods]
	}
	cells, total := SuppressCounts(append(counts, rest), suppress)
	sec := Section{ID: "practices", Title: "Share of each practice's registered list referred", ChartTitle: "People referred per 1,000 registered, by practice",
		Columns: []string{"GP practice (ODS code)", "Referrals", "Registered list", "Referred per 1,000 registered"},
		Note: "A practice is the person's GP practice as recorded now. Service leads enter list sizes on the practice list sizes page; " +
			"practices without one are counted together."}
	best := -1
	rate := make([]float64, len(codes))
	for i, ods := range codes {
		per := ""
		bar := Bar{Label: ods, Text: cells[i].Text(), Hidden: true}
		if !cells[i].Suppressed {
			rate[i] = 1000 * float64(cells[i].N) / float64(lists[ods])
			per = fmt.Sprintf("%.1f", rate[i])
			bar = Bar{Label: ods, Value: rate[i], Text: per}
			if best < 0 || rate[i] > rate[best] {
				best = i
			}
		}
		sec.Rows = append(sec.Rows, Row{Label: ods, Cells: []string{cells[i].Text(), thousands(lists[ods]), per}})
		sec.Bars = append(sec.Bars, bar)
	}
	sec.Rows = append(sec.Rows, Row{Label: "Practices with no list size entered", Cells: []string{cells[len(codes)].Text(), "", ""}},
		Row{Label: "Total", Total: true, Cells: []string{total.Text(), "", ""}})
	switch {
	case len(codes) == 0:
		sec.Headline = "No practice list sizes have been entered, so the share of each list referred cannot be shown."
	case best < 0:
		sec.Headline = "Too few referrals to show the share of each practice's list referred."
	default:
		sec.Headline = fmt.Sprintf("Practice %s referred the largest share of its list: %.1f people per 1,000 registered.", codes[best], rate[best])
	}
	return sec
}
