package postcode_test

import (
	"strings"
	"testing"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/postcode"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// The sample's make-up, counted with a separate script: 8,048 rows, 3,811 terminated, one
// (JE2 4WD) with no location, the rest live.
const (
	sampleRows       = 8_048
	sampleTerminated = 3_811
	sampleLive       = 4_236
)

func countRows(t *testing.T, db *store.DB, table string) int {
	t.Helper()
	var n int
	if err := db.Reader().QueryRow(t.Context(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportSkipsTerminatedAndUnlocatedPostcodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		got := importSample(t, db)
		want := postcode.Counts{Rows: sampleRows, Imported: sampleLive, Changed: sampleLive,
			Terminated: sampleTerminated, NoLocation: 1}
		if !equalCounts(got, want) {
			t.Errorf("counts = %+v, want %+v", got, want)
		}
		if n := countRows(t, db, "postcodes"); n != sampleLive {
			t.Errorf("postcodes table holds %d rows, want %d", n, sampleLive)
		}
		// AB10 to AB16, M1, M11, SE1 and SE1P.
		if n := countRows(t, db, "postcode_outward_centres"); n != 11 {
			t.Errorf("%d outward code centres, want 11", n)
		}
	})
}

func TestReimportingTheSameFileChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		importSample(t, db)
		before, err := postcode.Lookup(t.Context(), db.Reader(), "AB10")
		if err != nil {
			t.Fatal(err)
		}
		again := importSample(t, db)
		if again.Imported != sampleLive || again.Changed != 0 || again.Removed != 0 {
			t.Errorf("second import: %+v, want %d imported, none changed or removed", again, sampleLive)
		}
		if n := countRows(t, db, "postcodes"); n != sampleLive {
			t.Errorf("after re-import the table holds %d rows, want %d", n, sampleLive)
		}
		after, err := postcode.Lookup(t.Context(), db.Reader(), "AB10")
		if err != nil || after != before {
			t.Errorf("AB10 centre moved on re-import: %+v, then %+v (%v)", before, after, err)
		}
	})
}

// onspd builds a small file in the directory's layout (a subset of its columns, in another
// order, which the importer must not mind).
func onspd(rows ...string) string {
	return "pcd7,pcds,lat,long,doterm,ctry,imd,icb,lsoa21,oa21\n" + strings.Join(rows, "\n") + "\n"
}

func TestANewerFileUpdatesMovesAndRemovesPostcodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		first := onspd(
			"M1 1AD,M1 1AD,53.483784,-2.244866,,E92000001,12008,E54000057,E01033658,x",
			"M1 1AE,M1 1AE,53.48,-2.24,,E92000001,100,E54000057,E01033658,x",
			"M1 1AF,M1 1AF,53.49,-2.25,,E92000001,100,E54000057,E01033658,x",
		)
		mustImport(t, db, first)
		second := onspd(
			"M1 1AD,M1 1AD,53.483784,-2.244866,,E92000001,12008,E54000057,E01033658,x", // unchanged
			"M1 1AE,M1 1AE,53.50,-2.20,,E92000001,200,E54000057,E01033658,x",           // moved, new rank
			"M1 1AF,M1 1AF,53.49,-2.25,202401,E92000001,100,E54000057,E01033658,x",     // now terminated
			"M1 1AG,M1 1AG,53.47,-2.23,,E92000001,32844,E54000057,E01033658,x",         // new
		)
		got := mustImport(t, db, second)
		want := postcode.Counts{Rows: 4, Imported: 3, Changed: 2, Terminated: 1, Removed: 1}
		if !equalCounts(got, want) {
			t.Errorf("counts = %+v, want %+v", got, want)
		}
		p, err := postcode.Lookup(t.Context(), db.Reader(), "M1 1AE")
		if err != nil || p.Lat != 53.50 || p.Long != -2.20 || p.IMDRank != 200 || p.IMDDecile != 1 {
			t.Errorf("M1 1AE = %+v, %v; want it moved to 53.50, -2.20 with rank 200, decile 1", p, err)
		}
		if p, err := postcode.Lookup(t.Context(), db.Reader(), "M1 1AG"); err != nil || p.IMDDecile != 10 {
			t.Errorf("M1 1AG = %+v, %v; want England's last rank in decile 10", p, err)
		}
		if _, err := postcode.Lookup(t.Context(), db.Reader(), "M1 1AF"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("terminated M1 1AF: %v, want not found", err)
		}
		c, err := postcode.Lookup(t.Context(), db.Reader(), "M1")
		if wantLat := (53.483784 + 53.50 + 53.47) / 3; err != nil || !near(c.Lat, wantLat) {
			t.Errorf("M1 centre = %+v, %v; want latitude %v from the three live postcodes", c, err, wantLat)
		}
	})
}

func TestImportRejectsBadRowsAndKeepsTheRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		file := onspd(
			"M1 1AD,M1 1AD,53.483784,-2.244866,,E92000001,12008,E54000057,E01033658,x",
			"XX,NOT A POSTCODE,53.4,-2.2,,E92000001,1,E54000057,E01033658,x",
			"M1 1AE,M1 1AE,north,-2.2,,E92000001,1,E54000057,E01033658,x",
			"M1 1AF,M1 1AF,53.4,-2.2,,E92000001,first,E54000057,E01033658,x",
			"M1 1AG,M1 1AG,53.4,-2.2",
			"M1 1AH,M1 1AH,153.4,-2.2,,E92000001,1,E54000057,E01033658,x",
			"M1 1AJ,M1 1AJ,53.4,-2.2,,E92000001,1,E54000057,E01033658,x",
			"M1 1AJ,M1 1AJ,53.5,-2.3,,E92000001,2,E54000057,E01033658,x", // a repeat: the later row wins
		)
		got := mustImport(t, db, file)
		if got.Imported != 2 || got.Rejected != 5 {
			t.Errorf("counts = %+v, want 2 imported and 5 rejected", got)
		}
		wantReasons := []postcode.Rejection{
			{Line: 3, Postcode: "NOT A POSTCODE", Reason: "it is not a UK postcode"},
			{Line: 4, Postcode: "M1 1AE", Reason: `its latitude and longitude ("north", "-2.2") are not a position`},
			{Line: 5, Postcode: "M1 1AF", Reason: `its deprivation rank "first" is not a whole number`},
			{Line: 6, Reason: "it has 4 fields where the header has 10"},
			{Line: 7, Postcode: "M1 1AH", Reason: `its latitude and longitude ("153.4", "-2.2") are not a position`},
		}
		if len(got.Rejections) != len(wantReasons) {
			t.Fatalf("rejections = %+v, want %+v", got.Rejections, wantReasons)
		}
		for i, w := range wantReasons {
			if got.Rejections[i] != w {
				t.Errorf("rejection %d = %+v, want %+v", i, got.Rejections[i], w)
			}
		}
		if p, err := postcode.Lookup(t.Context(), db.Reader(), "M1 1AJ"); err != nil || p.Lat != 53.5 {
			t.Errorf("repeated M1 1AJ = %+v, %v; want the later row", p, err)
		}
	})
}

func TestImportRefusesAFileThatIsNotTheDirectory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		cases := []struct{ name, file, want string }{
			{"empty", "", "the file is empty: expected an ONS Postcode Directory CSV with a header row"},
			{"missing columns", "pcds,lat,longitude\nM1 1AD,53.4,-2.2\n",
				"the file is not an ONS Postcode Directory CSV: its header has no doterm, long, ctry, lsoa21, icb, imd column"},
			{"not a csv", onspd(`M1 1AD,"M1 1AD,53.4`), "the file is not a readable CSV"},
			{"one endless line", "pcds," + strings.Repeat("x", 100_000), "a line is longer than"},
		}
		for _, c := range cases {
			_, err := postcode.Import(t.Context(), db, strings.NewReader(c.file), nil)
			ae, ok := apperr.As(err)
			if !ok || ae.Kind != apperr.Invalid || !strings.Contains(ae.Message, c.want) {
				t.Errorf("%s: %v; want invalid %q", c.name, err, c.want)
			}
		}
		if n := countRows(t, db, "postcodes"); n != 0 {
			t.Errorf("refused files left %d postcodes behind", n)
		}
	})
}

func TestImportReportsProgressAfterEachTransaction(t *testing.T) {
	db := storetest.SQLite(t)
	var rows []string
	for i := range 25_000 {
		rows = append(rows, "x,"+syntheticPostcode(i)+",53.4,-2.2,,E92000001,1,E54000057,E01033658,x")
	}
	var seen []int
	_, err := postcode.Import(t.Context(), db, strings.NewReader(onspd(rows...)), func(c postcode.Counts) {
		seen = append(seen, c.Rows)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0] != 20_000 || seen[1] != 25_000 {
		t.Errorf("progress reported after %v rows, want after 20000 and 25000", seen)
	}
	if n := countRows(t, db, "postcodes"); n != 25_000 {
		t.Errorf("%d postcodes imported, want 25000", n)
	}
}

// syntheticPostcode gives distinct valid postcodes: A0 0AA, A0 0AB, ...
func syntheticPostcode(i int) string {
	letter := func(n int) byte { return byte('A' + n%26) }
	return string([]byte{letter(i / 6760), byte('0' + i/676%10), ' ', '0', letter(i / 26), letter(i)})
}

func mustImport(t *testing.T, db *store.DB, file string) postcode.Counts {
	t.Helper()
	counts, err := postcode.Import(t.Context(), db, strings.NewReader(file), nil)
	if err != nil {
		t.Fatal(err)
	}
	return counts
}

// equalCounts compares the totals, leaving out the rejection details.
func equalCounts(a, b postcode.Counts) bool {
	a.Rejections, b.Rejections = nil, nil
	return a.Rows == b.Rows && a.Imported == b.Imported && a.Changed == b.Changed &&
		a.Terminated == b.Terminated && a.NoLocation == b.NoLocation && a.Removed == b.Removed &&
		a.Rejected == b.Rejected
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
