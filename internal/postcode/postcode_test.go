package postcode_test

import (
	"math"
	"os"
	"testing"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/postcode"
	"github.com/linkwell/linkwell/internal/store"
	"github.com/linkwell/linkwell/internal/store/storetest"
)

// importSample loads testdata/onspd-sample.csv, the ONS extract, and returns what it did.
func importSample(t *testing.T, db *store.DB) postcode.Counts {
	t.Helper()
	f, err := os.Open("testdata/onspd-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	counts, err := postcode.Import(t.Context(), db, f, nil)
	if err != nil {
		t.Fatalf("import sample: %v", err)
	}
	return counts
}

func TestLookupAFullPostcodeGivesItsPointAndArea(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		importSample(t, db)
		cases := []struct {
			in   string
			want postcode.Place
		}{
			{"m11ad", postcode.Place{Postcode: "M1 1AD", Outward: "M1", Point: postcode.Point{Lat: 53.483784, Long: -2.244866},
				Country: "E92000001", LSOA21: "E01033658", ICB: "E54000057", IMDRank: 12008, IMDDecile: 4}},
			{"SE1 2DL", postcode.Place{Postcode: "SE1 2DL", Outward: "SE1", Point: postcode.Point{Lat: 51.498972, Long: -0.071609},
				Country: "E92000001", LSOA21: "E01004028", ICB: "E54000030", IMDRank: 9929, IMDDecile: 4}},
			// Scotland: no 2021 LSOA and no ICB (ONS gives the pseudo code S99999999); SIMD rank.
			{"ab10 1an", postcode.Place{Postcode: "AB10 1AN", Outward: "AB10", Point: postcode.Point{Lat: 57.1497, Long: -2.094742},
				Country: "S92000003", IMDRank: 3888, IMDDecile: 6}},
		}
		for _, c := range cases {
			got, err := postcode.Lookup(t.Context(), db.Reader(), c.in)
			if err != nil {
				t.Errorf("Lookup(%q): %v", c.in, err)
				continue
			}
			if got != c.want {
				t.Errorf("Lookup(%q) =\n %+v, want\n %+v", c.in, got, c.want)
			}
		}
	})
}

func TestLookupAnOutwardCodeGivesAnApproximateCentre(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		importSample(t, db)
		got, err := postcode.Lookup(t.Context(), db.Reader(), " ab10 ")
		if err != nil {
			t.Fatal(err)
		}
		// The mean of the sample's 673 live AB10 points, computed apart from the code.
		want := postcode.Point{Lat: 57.135252280832084, Long: -2.120322389301634}
		if !got.Approximate || got.Postcode != "AB10" || got.Outward != "AB10" {
			t.Errorf("Lookup(AB10) = %+v, want the approximate centre of AB10", got)
		}
		if math.Abs(got.Lat-want.Lat) > 1e-9 || math.Abs(got.Long-want.Long) > 1e-9 {
			t.Errorf("AB10 centre = %v, want %v", got.Point, want)
		}
		if got.LSOA21 != "" || got.IMDRank != 0 {
			t.Errorf("an outward code spans many areas, but got LSOA %q, rank %d", got.LSOA21, got.IMDRank)
		}
	})
}

func TestLookupUnknownPostcodesSayWhatToDo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		importSample(t, db)
		cases := []struct {
			in   string
			kind apperr.Kind
			want string
		}{
			{"AB10 9ZZ", apperr.NotFound, "We could not find the postcode AB10 9ZZ. Check it is right, or enter just the first part, like AB10, for an approximate location"},
			// Terminated in the sample, so not imported.
			{"AB1 0AA", apperr.NotFound, "We could not find the postcode AB1 0AA. Check it is right, or enter just the first part, like AB1, for an approximate location"},
			// Every AB1 postcode is terminated, so AB1 has no centre.
			{"ab1", apperr.NotFound, "We could not find any postcodes starting AB1. Check it is right, or enter the full postcode"},
			// No location in the directory (Jersey), so not imported.
			{"JE2 4WD", apperr.NotFound, "We could not find the postcode JE2 4WD. Check it is right, or enter just the first part, like JE2, for an approximate location"},
			{"not a postcode", apperr.Invalid, "Enter a real postcode, like AB10 1AA"},
			{"", apperr.Invalid, "Enter a postcode"},
		}
		for _, c := range cases {
			_, err := postcode.Lookup(t.Context(), db.Reader(), c.in)
			ae, ok := apperr.As(err)
			if !ok || ae.Kind != c.kind || ae.Message != c.want {
				t.Errorf("Lookup(%q): %v; want %v %q", c.in, err, c.kind, c.want)
			}
		}
	})
}

func TestDistanceMatchesHandComputedValues(t *testing.T) {
	m1 := postcode.Point{Lat: 53.483784, Long: -2.244866}   // M1 1AD
	se1 := postcode.Point{Lat: 51.498972, Long: -0.071609}  // SE1 2DL
	ab10 := postcode.Point{Lat: 57.149700, Long: -2.094742} // AB10 1AN
	cases := []struct {
		name string
		a, b postcode.Point
		want float64 // metres, by the spherical law of cosines with R = 6,371,008.8 m
	}{
		{"same point", m1, m1, 0},
		{"one degree of latitude", postcode.Point{Lat: 0, Long: 0}, postcode.Point{Lat: 1, Long: 0}, 111_195.080},
		{"one degree of longitude at 60°N", postcode.Point{Lat: 60, Long: 0}, postcode.Point{Lat: 60, Long: 1}, 55_597.011},
		{"Manchester to Southwark", m1, se1, 265_224.910},
		{"Aberdeen to Southwark", ab10, se1, 641_809.057},
	}
	for _, c := range cases {
		if got := postcode.Distance(c.a, c.b); math.Abs(got-c.want) > 0.01 {
			t.Errorf("%s: Distance = %.3f m, want %.3f m", c.name, got, c.want)
		}
		if got, back := postcode.Distance(c.a, c.b), postcode.Distance(c.b, c.a); got != back {
			t.Errorf("%s: not symmetric: %v and %v", c.name, got, back)
		}
	}
}
