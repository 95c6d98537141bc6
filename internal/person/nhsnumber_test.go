package person

import "testing"

func TestParseNHSNumber(t *testing.T) {
	cases := []struct {
		in, want, problem string
	}{
		{"9434765919", "9434765919", ""},
		{"943 476 5919", "9434765919", ""},
		{" 943-476-5919 ", "9434765919", ""},
		{"4010232137", "4010232137", ""},
		{"9434765918", "", "Enter a valid NHS number: check it against a letter or the NHS App"},
		{"943476591", "", "NHS number must be 10 digits"},
		{"94347659190", "", "NHS number must be 10 digits"},
		{"943476591A", "", "NHS number must only include numbers, spaces and dashes"},
		{"", "", "Enter the NHS number"},
		// Check digit 10 is never valid: 1234567890's first nine digits give 10.
		{"1234567890", "", "Enter a valid NHS number: check it against a letter or the NHS App"},
		// Remainder 0 gives check 11, written as 0.
		{"0000000000", "0000000000", ""},
	}
	for _, c := range cases {
		got, problem := ParseNHSNumber(c.in)
		if string(got) != c.want || problem != c.problem {
			t.Errorf("ParseNHSNumber(%q) = %q, %q; want %q, %q", c.in, got, problem, c.want, c.problem)
		}
	}
	if s := NHSNumber("9434765919").String(); s != "943 476 5919" {
		t.Errorf("String() = %q", s)
	}
}

func FuzzParseNHSNumber(f *testing.F) {
	f.Add("943 476 5919")
	f.Add("12-34")
	f.Fuzz(func(t *testing.T, s string) {
		n, problem := ParseNHSNumber(s)
		if problem == "" && (len(n) != 10 || !checkDigitOK(string(n))) {
			t.Errorf("accepted %q as %q", s, n)
		}
		if problem != "" && n != "" {
			t.Errorf("refused %q but returned %q", s, n)
		}
	})
}
