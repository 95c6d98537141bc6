package person

import (
	"strings"
	"unicode"
)

// Query is what a search for an existing person gives: an NHS number or a name, and always
// a date of birth, because Linkwell never matches on NHS number alone.
type Query struct {
	NHSNumber   NHSNumber
	GivenName   string
	FamilyName  string
	DateOfBirth string
}

// Match says why a person was found.
type Match struct {
	Person Person
	// Reason is "NHS number and date of birth" or "name and date of birth".
	Reason string
	// Conflict is set when the NHS number matches but the date of birth does not: it is shown
	// as a warning to check, never used as a match.
	Conflict bool
}

// matches picks from candidates those that q identifies. An NHS number counts only with the
// same date of birth; a name counts when the family names are close (equal, or one or two
// letters apart as a typing slip) and the given names agree on their first letter.
func matches(q Query, cands []Person) []Match {
	var out []Match
	for _, p := range cands {
		sameDOB := p.DateOfBirth == q.DateOfBirth
		switch {
		case q.NHSNumber != "" && p.NHSNumber == q.NHSNumber && sameDOB:
			out = append(out, Match{Person: p, Reason: "NHS number and date of birth"})
		case q.NHSNumber != "" && p.NHSNumber == q.NHSNumber:
			out = append(out, Match{Person: p, Reason: "NHS number, but a different date of birth", Conflict: true})
		case sameDOB && closeName(q, p):
			out = append(out, Match{Person: p, Reason: "name and date of birth"})
		}
	}
	return out
}

func closeName(q Query, p Person) bool {
	qf, pf := fold(q.FamilyName), fold(p.FamilyName)
	qg, pg := fold(q.GivenName), fold(p.GivenName)
	if qf == "" || pf == "" {
		return false
	}
	familyClose := qf == pf || editDistance(qf, pf) <= 2 && min(len(qf), len(pf)) >= 4
	givenClose := qg == "" || pg == "" || qg[0] == pg[0]
	return familyClose && givenClose
}

// fold lower-cases a name and keeps only its letters, so "O'Brien" and "obrien" agree.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// editDistance is the Levenshtein distance between two words.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
