package postcode_test

import (
	"testing"

	"github.com/linkwell/linkwell/internal/apperr"
	"github.com/linkwell/linkwell/internal/postcode"
)

func TestNormaliseAcceptsWhatPeopleType(t *testing.T) {
	cases := []struct{ in, want string }{
		{"AB10 1AA", "AB10 1AA"},
		{"ab10 1aa", "AB10 1AA"},
		{"ab101aa", "AB10 1AA"},
		{"  Ab10   1aA \t", "AB10 1AA"},
		{"M1 1AD", "M1 1AD"},     // A9
		{"m11ad", "M1 1AD"},      // A9 without a space
		{"B33 8TH", "B33 8TH"},   // A99
		{"CR2 6XH", "CR2 6XH"},   // AA9
		{"DN551PT", "DN55 1PT"},  // AA99
		{"w1a 0ax", "W1A 0AX"},   // A9A
		{"EC1A 1BB", "EC1A 1BB"}, // AA9A
		{"se1p5zz", "SE1P 5ZZ"},  // AA9A, non-geographic
		{"gir0aa", "GIR 0AA"},    // the one exception to the pattern
		{"a b 1 0 1 a a", "AB10 1AA"},
	}
	for _, c := range cases {
		got, err := postcode.Normalise(c.in)
		if err != nil || got != c.want {
			t.Errorf("Normalise(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestNormaliseRejectsJunkWithAMessageToShow(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "Enter a postcode"},
		{"   ", "Enter a postcode"},
		{"AB10", "Enter the full postcode, like AB10 1AA"},
		{"hello", "Enter a real postcode, like AB10 1AA"},
		{"AB10 1A", "Enter a real postcode, like AB10 1AA"},
		{"AB10 AAA", "Enter a real postcode, like AB10 1AA"},
		{"1AB 1AA", "Enter a real postcode, like AB10 1AA"},
		{"ABC1 1AA", "Enter a real postcode, like AB10 1AA"},
		{"AB100 1AA", "Enter a real postcode, like AB10 1AA"},
		{"AB10 1AA extra", "Enter a real postcode, like AB10 1AA"},
		{"AB1-0 1AA", "Enter a real postcode, like AB10 1AA"},
		{"ÅB10 1AA", "Enter a real postcode, like AB10 1AA"},
		{"12345", "Enter a real postcode, like AB10 1AA"},
	}
	for _, c := range cases {
		got, err := postcode.Normalise(c.in)
		ae, ok := apperr.As(err)
		if !ok || ae.Kind != apperr.Invalid || ae.Message != c.want {
			t.Errorf("Normalise(%q) = %q, %v; want invalid %q", c.in, got, err, c.want)
		}
	}
}
