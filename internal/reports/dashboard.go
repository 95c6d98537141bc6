package reports

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/outcomes"
	"github.com/linkwell/linkwell/internal/referral"
	"github.com/linkwell/linkwell/internal/store"
)

// Filter narrows a dashboard. From is the first day and To the last, both included.
type Filter struct {
	From, To       time.Time
	OrganisationID int64 // the service lead's organisation; 0 for every service
	TeamID         int64
	Practice       string // ODS code of the person's GP practice
	Source         referral.Source
	Pathway        referral.Pathway

	// fromFacts reads every figure from the referrals' facts instead of the tallies, as a
	// filter by team or practice does; the tests compare the two.
	fromFacts bool
	// sites are the services of the organisation and team filtered by, found once for the
	// whole dashboard: a list of ids lets the database take each service's facts by index.
	sites []int64
}

// Dashboard is every figure of a service or commissioner dashboard, each section a table
// with a headline in words and the bars of its chart.
type Dashboard struct {
	Filter     Filter
	Suppressed bool // small numbers hidden, as on commissioner views and in exports
	Headline   []string
	Sections   []Section
}

// Section is one table of a dashboard with the chart that shows the same numbers.
type Section struct {
	ID, Title, Headline, Note string
	Columns                   []string
	Rows                      []Row
	Bars                      []Bar
	ChartTitle                string
}

// Row is one line of a table: a label and its cells as shown.
type Row struct {
	Label string
	Cells []string
	Total bool
}

// Bar is one bar of a section's chart.
type Bar struct {
	Label     string
	Value     float64
	Text      string
	Hidden    bool
	Low, High *float64
}

// Service builds dashboards from the database.
type Service struct {
	db          *store.DB
	researchKey []byte
}

// NewService returns a Service over db.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// WithResearchKey makes research extracts pseudonymise with this deployment's configured key
// instead of the fallback key kept in the database.
func (s *Service) WithResearchKey(key []byte) *Service {
	s.researchKey = key
	return s
}

// Build works out a dashboard; suppress hides small numbers.
func (s *Service) Build(ctx context.Context, f Filter, suppress bool) (Dashboard, error) {
	f.From, f.To = day(f.From), day(f.To)
	d := Dashboard{Filter: f, Suppressed: suppress}
	err := s.db.ReadTx(ctx, func(c store.Conn) error {
		f, err := f.withSites(ctx, c)
		if err != nil {
			return err
		}
		t, err := countAll(ctx, c, f)
		if err != nil {
			return err
		}
		d.Sections = append(d.Sections, t.ref.sections(suppress)...)
		d.Sections = append(d.Sections, needsSection(t.ref.needCounts(), suppress), waitingSection(t.waits, suppress))
		d.Sections = append(d.Sections, t.activity.sections(suppress)...)
		d.Sections = append(d.Sections, caseloadSection(t.loads, suppress))
		d.Sections = append(d.Sections, t.pairs.itemSection(suppress), t.pairs.pathwaySection(suppress))
		d.Sections = append(d.Sections, t.equality.sections(suppress)...)
		d.Sections = append(d.Sections, t.areas.sections(suppress)...)
		d.Sections = append(d.Sections, practiceSection(t.practices, t.lists, f.Practice, suppress))
		d.Headline = headline(d.Sections)
		return nil
	})
	return d, apperr.Wrap("dashboard", err)
}

// tallies are every count a dashboard is drawn from, read in one snapshot.
type tallies struct {
	ref          referralTally
	waits, loads Histogram
	pairs        pairs
	activity     activity
	equality     equalityTally
	areas        areaTally
	practices    map[string]int
	lists        map[string]int
}

func countAll(ctx context.Context, c store.Conn, f Filter) (tallies, error) {
	var t tallies
	for _, count := range []func() error{
		func() (err error) { t.ref, err = referralCounts(ctx, c, f); return err },
		func() (err error) { t.waits, err = waitingDays(ctx, c, f); return err },
		func() (err error) { t.pairs, t.activity, err = closedCases(ctx, c, f); return err },
		func() (err error) { t.equality, err = equalityCounts(ctx, c, f); return err },
		func() (err error) { t.loads, err = caseloads(ctx, c, f); return err },
		func() (err error) { t.areas, err = areaCounts(ctx, c, f); return err },
		func() (err error) { t.practices, err = practiceCounts(ctx, c, f); return err },
		func() (err error) { t.lists, err = practiceListSizes(ctx, c); return err },
	} {
		if err := count(); err != nil {
			return t, err
		}
	}
	return t, nil
}

// scope is the WHERE clause shared by every query over referrals r (with services s, and
// people p and cases c where the filter needs them), with its arguments.
func (f Filter) scope(dateCol string) (string, []any) {
	conds, args := f.narrowing()
	return dateCol + " >= ? AND " + dateCol + " < ? AND " + conds, append([]any{f.From.UTC(), f.end()}, args...)
}

// end is the moment just after the period's last day.
func (f Filter) end() time.Time { return f.To.AddDate(0, 0, 1).UTC() }

// narrowing is the filter's conditions other than the period, with their arguments.
func (f Filter) narrowing() (string, []any) {
	conds := []string{"1 = 1"}
	var args []any
	add := func(cond string, arg any) {
		conds = append(conds, cond)
		args = append(args, arg)
	}
	if f.OrganisationID != 0 {
		add("s.organisation_id = ?", f.OrganisationID)
	}
	if f.TeamID != 0 {
		add("s.team_id = ?", f.TeamID)
	}
	if f.Practice != "" {
		add("r.person_id IN (SELECT id FROM people WHERE practice_ods = ?)", f.Practice)
	}
	if f.Source != "" {
		add("r.source = ?", f.Source)
	}
	if f.Pathway != "" {
		add("r.id IN (SELECT referral_id FROM cases WHERE pathway = ?)", f.Pathway)
	}
	return strings.Join(conds, " AND "), args
}

// withSites is the filter with the ids of its organisation's and team's services found, when
// it has either and they are not found yet.
func (f Filter) withSites(ctx context.Context, c store.Conn) (Filter, error) {
	if !f.bySite() || f.sites != nil {
		return f, nil
	}
	query, args := `SELECT id FROM services WHERE 1 = 1`, []any{}
	if f.OrganisationID != 0 {
		query, args = query+` AND organisation_id = ?`, append(args, f.OrganisationID)
	}
	if f.TeamID != 0 {
		query, args = query+` AND team_id = ?`, append(args, f.TeamID)
	}
	rows, err := c.Query(ctx, query, args...)
	if err != nil {
		return f, fmt.Errorf("services filtered by: %w", err)
	}
	defer rows.Close()
	f.sites = []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return f, err
		}
		f.sites = append(f.sites, id)
	}
	return f, rows.Err()
}

// sitesIn is a condition that col is one of the filter's services, with its arguments; it
// holds for no row when the organisation or team has no services.
func (f Filter) sitesIn(col string) (string, []any) {
	if len(f.sites) == 0 {
		return "1 = 0", nil
	}
	return col + " IN " + store.In(len(f.sites)), store.Args(f.sites)
}

// bySite reports whether the filter needs the services table, for an organisation or team.
func (f Filter) bySite() bool { return f.OrganisationID != 0 || f.TeamID != 0 }

// referralsFrom is the FROM clause of a query over referrals r, with the services s the
// filter needs; joining them only when needed keeps a national query to one table's scan.
func (f Filter) referralsFrom() string {
	if f.bySite() {
		return "FROM referrals r JOIN services s ON s.id = r.service_id"
	}
	return "FROM referrals r"
}

// referralTally is referrals counted by source, month and status in one pass.
type referralTally struct {
	bySource map[referral.Source]int
	byMonth  map[string]int
	byStatus map[referral.Status]int
	byNeed   map[referral.Need]int
	months   []string
}

func referralCounts(ctx context.Context, c store.Conn, f Filter) (referralTally, error) {
	t := referralTally{bySource: map[referral.Source]int{}, byMonth: map[string]int{}, byStatus: map[referral.Status]int{}, byNeed: map[referral.Need]int{}}
	rows, err := figures(ctx, c, f, "referrals")
	if err != nil {
		return t, err
	}
	// The combinations of needs are few, so counting by the stored list and splitting it here
	// is cheaper than a row for each need.
	for _, g := range rows {
		n := int(g.n)
		for _, need := range referral.ParseNeedsList(g.k2) {
			t.byNeed[need] += n
		}
		t.bySource[referral.Source(g.source)] += n
		t.byMonth[g.k3] += n
		t.byStatus[referral.Status(g.k1)] += n
	}
	for m := time.Date(f.From.Year(), f.From.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(f.To); m = m.AddDate(0, 1, 0) {
		t.months = append(t.months, m.Format("2006-01"))
	}
	return t, nil
}

func (t referralTally) sections(suppress bool) []Section {
	var labels []string
	var counts []int
	for _, src := range referral.Sources {
		labels, counts = append(labels, src.Label()), append(counts, t.bySource[src])
	}
	bySource := countSection("sources", "Referrals by source", "Source", labels, counts, suppress)
	labels, counts = nil, nil
	for _, m := range t.months {
		when, _ := time.Parse("2006-01", m)
		labels, counts = append(labels, when.Format("January 2006")), append(counts, t.byMonth[m])
	}
	byMonth := countSection("months", "Referrals by month", "Month", labels, counts, suppress)
	decided := []int{t.byStatus[referral.StatusAccepted], t.byStatus[referral.StatusRejected]}
	other := 0
	for st, n := range t.byStatus {
		if st != referral.StatusAccepted && st != referral.StatusRejected {
			other += n
		}
	}
	decisions := countSection("decisions", "Acceptance and decline", "Decision",
		[]string{"Accepted", "Declined", "Not yet decided, withdrawn or in error"}, append(decided, other), suppress)
	cells, _ := SuppressCounts(append(decided, other), suppress)
	if rate, ok := share(cells[0], Cell{N: decided[0] + decided[1], Suppressed: cells[0].Suppressed || cells[1].Suppressed}); ok {
		decisions.Headline = fmt.Sprintf("%s of the referrals decided were accepted.", rate)
	} else {
		decisions.Headline = "Too few referrals were decided to give an acceptance rate."
	}
	total := bySource.Rows[len(bySource.Rows)-1].Cells[0]
	bySource.Headline = fmt.Sprintf("%s referrals were made in the period.", total)
	return []Section{bySource, byMonth, decisions}
}

// share is a count as a percentage of a whole, unless either is hidden.
func share(part, whole Cell) (string, bool) {
	if part.Suppressed || whole.Suppressed || whole.N == 0 {
		return "", false
	}
	return fmt.Sprintf("%.0f%%", 100*float64(part.N)/float64(whole.N)), true
}

// countSection is a table of counts with their total, suppressed as one group.
func countSection(id, title, heading string, labels []string, counts []int, suppress bool) Section {
	cells, total := SuppressCounts(counts, suppress)
	sec := Section{ID: id, Title: title, ChartTitle: title, Columns: []string{heading, "Referrals"}}
	for i, l := range labels {
		sec.Rows = append(sec.Rows, Row{Label: l, Cells: []string{cells[i].Text()}})
		sec.Bars = append(sec.Bars, Bar{Label: l, Value: float64(cells[i].N), Text: cells[i].Text(), Hidden: cells[i].Suppressed})
	}
	sec.Rows = append(sec.Rows, Row{Label: "Total", Cells: []string{total.Text()}, Total: true})
	return sec
}

func (t referralTally) needCounts() []int {
	out := make([]int, len(referral.Needs))
	for i, n := range referral.Needs {
		out[i] = t.byNeed[n]
	}
	return out
}

func needsSection(counts []int, suppress bool) Section {
	cells := SuppressEach(counts, suppress)
	sec := Section{ID: "needs", Title: "Needs and concerns referred", ChartTitle: "Referrals naming each need",
		Columns: []string{"Need or concern", "Referrals naming it"},
		Note:    "A referral can name several needs, so these do not add up to the number of referrals."}
	best := -1
	for i, n := range referral.Needs {
		sec.Rows = append(sec.Rows, Row{Label: n.Label(), Cells: []string{cells[i].Text()}})
		sec.Bars = append(sec.Bars, Bar{Label: n.Label(), Value: float64(cells[i].N), Text: cells[i].Text(), Hidden: cells[i].Suppressed})
		if !cells[i].Suppressed && cells[i].N > 0 && (best < 0 || cells[i].N > cells[best].N) {
			best = i
		}
	}
	if best >= 0 {
		sec.Headline = fmt.Sprintf("The need named most often was %s, in %s referrals.", strings.ToLower(referral.Needs[best].Label()), cells[best].Text())
	}
	return sec
}

// waitingDays counts referrals by the whole days from referral to the first contact that
// reached the person; a negative count, such as a contact recorded as before the referral,
// counts as zero.
func waitingDays(ctx context.Context, c store.Conn, f Filter) (Histogram, error) {
	rows, err := figures(ctx, c, f, "waiting")
	h := Histogram{}
	for _, g := range rows {
		h[float64(max(g.v, 0))] += int(g.n)
	}
	return h, err
}

// scanHistogram reads (value, count) rows; a negative value counts as zero.
func scanHistogram(rows *sql.Rows) (Histogram, error) {
	defer rows.Close()
	h := Histogram{}
	for rows.Next() {
		var v, n int64
		if err := rows.Scan(&v, &n); err != nil {
			return nil, err
		}
		h[float64(max(v, 0))] += int(n)
	}
	return h, rows.Err()
}

func waitingSection(days Histogram, suppress bool) Section {
	n := SuppressEach([]int{days.N()}, suppress)[0]
	sec := Section{ID: "waiting", Title: "Waiting time from referral to first contact", ChartTitle: "Days from referral to first contact",
		Columns: []string{"Measure", "Days"}, Note: "Whole days from the referral to the first contact that reached the person."}
	if n.Suppressed || n.N == 0 {
		sec.Rows = []Row{{Label: "Referrals with a first contact", Cells: []string{n.Text()}}}
		sec.Headline = "Too few people have had a first contact to give waiting times."
		return sec
	}
	med, p90 := days.Percentile(50), days.Percentile(90)
	sec.Rows = []Row{{Label: "Referrals with a first contact", Cells: []string{n.Text()}},
		{Label: "Median", Cells: []string{fmt.Sprintf("%.1f", med)}}, {Label: "90th percentile", Cells: []string{fmt.Sprintf("%.1f", p90)}}}
	sec.Bars = []Bar{{Label: "Median", Value: med, Text: fmt.Sprintf("%.1f days", med)}, {Label: "90th percentile", Value: p90, Text: fmt.Sprintf("%.1f days", p90)}}
	sec.Headline = fmt.Sprintf("Half of people had a first contact within %.1f days of referral, and nine in ten within %.1f days.", med, p90)
	return sec
}

// ons4 is the built-in ONS4 instrument, whose items the outcome sections report.
var ons4, _ = outcomes.BuiltIn("ons4")

func headline(secs []Section) []string {
	var out []string
	for _, s := range secs {
		if s.Headline != "" && (s.ID == "sources" || s.ID == "decisions" || s.ID == "waiting" || s.ID == "outcomes") {
			out = append(out, s.Headline)
		}
	}
	return out
}
