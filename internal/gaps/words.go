package gaps

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Small numbers of referrals, 1 to 4, are never shown exactly (DESIGN §4), so that a count
// cannot point to a person in a small area.
const smallest = 5

// Count is a number of referrals as the report shows it: "fewer than 5" for 1 to 4.
func Count(n int) string {
	if n > 0 && n < smallest {
		return "fewer than 5"
	}
	return strconv.Itoa(n)
}

// Headline says in words what the report found.
func (r Report) Headline(dates func(time.Time) string) string {
	period := fmt.Sprintf("From %s to %s", dates(r.From), dates(r.To.AddDate(0, 0, -1)))
	if r.Referrals == 0 {
		return period + ", no referrals were made."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %s %s made", period, Count(r.Referrals), referrals(r.Referrals, "referral was", "referrals were"))
	if r.Areas > 0 {
		fmt.Fprintf(&b, " by people in %d %s", r.Areas, r.Level.pluralFor(r.Areas))
	}
	b.WriteString(". ")
	switch {
	case r.Areas == 0:
		b.WriteString("None of them could be placed in an area, so nothing could be compared.")
	case r.Gaps == 0:
		b.WriteString("Every need recorded has at least one matching community service in the same area.")
	default:
		top := r.Rows[0]
		fmt.Fprintf(&b, "In %d of these %d, people were referred for needs that no community service in the same area meets "+
			"(%d %s in all). The largest: %s %s for %s in %s, with no matching service there.", r.GapAreas, r.Areas,
			r.Gaps, plural(r.Gaps, "need", "needs"), Count(top.Referrals), referrals(top.Referrals, "referral", "referrals"),
			strings.ToLower(top.Need.Label()), top.Area)
	}
	return b.String()
}

func (l Level) pluralFor(n int) string {
	if n == 1 {
		return strings.ToLower(l.Label())
	}
	return l.Plural()
}

// referrals is plural for a count of referrals, which reads as many when it is suppressed.
func referrals(n int, one, many string) string {
	if Count(n) != strconv.Itoa(n) {
		return many
	}
	return plural(n, one, many)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// WriteCSV writes the report's rows for a spreadsheet, with a header, small numbers
// suppressed as "<5" and every text cell that a spreadsheet could read as a formula made
// plain text.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"area_type", "area", "need", "referrals", "matching_services", "gap"})
	for _, row := range r.Rows {
		refs := strconv.Itoa(row.Referrals)
		if row.Referrals < smallest {
			refs = "<5"
		}
		gap := "no"
		if row.Gap() {
			gap = "yes"
		}
		cw.Write([]string{plainText(r.Level.Label()), plainText(row.Area), plainText(row.Need.Label()), refs,
			strconv.Itoa(row.Services), gap})
	}
	cw.Flush()
	return cw.Error()
}

// plainText stops a spreadsheet reading a cell as a formula: a cell that starts, after any
// spaces, with = + - @ or a tab or carriage return gets an apostrophe in front.
func plainText(s string) string {
	t := strings.TrimLeft(s, " ")
	if t != "" && strings.ContainsRune("=+-@\t\r", rune(t[0])) {
		return "'" + s
	}
	return s
}
