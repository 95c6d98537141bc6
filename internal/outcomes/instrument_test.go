package outcomes

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/linkwell/linkwell/internal/apperr"
)

func mustBuiltIn(t *testing.T, code string) Instrument {
	t.Helper()
	in, ok := BuiltIn(code)
	if !ok {
		t.Fatalf("no built-in %s", code)
	}
	return in
}

func TestONS4IsReportedItemByItemWithAnxietyReversed(t *testing.T) {
	in := mustBuiltIn(t, "ons4")
	if len(in.Items) != 4 || in.Summed() || in.Licence.Required {
		t.Fatalf("ONS4 should be four items reported separately with no licence: %+v", in)
	}
	for _, it := range in.Items {
		if it.Min != 0 || it.Max != 10 {
			t.Errorf("%s runs %d to %d, want 0 to 10", it.Code, it.Min, it.Max)
		}
		if it.Reverse != (it.Code == "anxious") {
			t.Errorf("%s reverse = %t", it.Code, it.Reverse)
		}
	}
	// Hand-worked: satisfaction 4 → 7 is +3, better; anxiety 8 → 3 is −5, also better;
	// happiness 6 → 5 is −1, worse; worthwhile 5 → 5 is no change.
	base := Response{ID: 1, Timepoint: Baseline, Answers: []Answer{{Item: "satisfied", Value: 4}, {Item: "worthwhile", Value: 5}, {Item: "happy", Value: 6}, {Item: "anxious", Value: 8}}}
	follow := Response{ID: 2, Timepoint: FollowUp, Answers: []Answer{{Item: "satisfied", Value: 7}, {Item: "worthwhile", Value: 5}, {Item: "happy", Value: 5}, {Item: "anxious", Value: 3}}}
	base.Instrument, follow.Instrument = "ons4", "ons4"
	p := Summarise(in, []Response{base, follow})
	want := map[string]struct {
		change        int
		better, worse bool
	}{"satisfied": {3, true, false}, "worthwhile": {0, false, false}, "happy": {-1, false, true}, "anxious": {-5, true, false}}
	for _, ic := range p.Items {
		w := want[ic.Item.Code]
		if ic.Change == nil || *ic.Change != w.change || ic.Better != w.better || ic.Worse != w.worse {
			t.Errorf("%s: change %v better %t worse %t, want %+v", ic.Item.Code, ic.Change, ic.Better, ic.Worse, w)
		}
	}
	if s := in.Score(base.Answers); s.Raw != nil || s.Value != nil {
		t.Errorf("ONS4 has no total score, got %+v", s)
	}
}

func swemwbsAnswers(values ...int) []Answer {
	codes := []string{"optimistic", "useful", "relaxed", "problems", "thinking", "close", "own_mind"}
	out := make([]Answer, len(codes))
	for i, c := range codes {
		out[i] = Answer{Item: c, Value: values[i]}
	}
	return out
}

func TestSWEMWBSConvertsRawTotalsByThePublishedTable(t *testing.T) {
	in := mustBuiltIn(t, "swemwbs")
	if !in.Licence.Required || !in.Summed() || len(in.Items) != 7 {
		t.Fatalf("SWEMWBS should be seven summed items needing a licence")
	}
	for _, tc := range []struct {
		answers []int
		raw     int
		metric  float64
	}{
		{[]int{1, 1, 1, 1, 1, 1, 1}, 7, 7.00},   // the table's bottom
		{[]int{2, 1, 1, 1, 1, 1, 1}, 8, 9.51},   // one above it
		{[]int{3, 3, 3, 3, 3, 3, 3}, 21, 19.25}, // the middle
		{[]int{4, 3, 3, 3, 3, 3, 3}, 22, 19.98},
		{[]int{5, 5, 5, 5, 5, 5, 4}, 34, 32.55}, // one below the top
		{[]int{5, 5, 5, 5, 5, 5, 5}, 35, 35.00}, // the top
	} {
		s := in.Score(swemwbsAnswers(tc.answers...))
		if s.Raw == nil || *s.Raw != tc.raw || s.Value == nil || *s.Value != tc.metric {
			t.Errorf("answers %v: raw %v metric %v, want %d and %.2f", tc.answers, deref(s.Raw), deref(s.Value), tc.raw, tc.metric)
		}
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestReverseScoredItemsAreFlippedBeforeSumming(t *testing.T) {
	in, err := ParseInstrument([]byte(`{"code": "mood", "version": 1, "name": "Mood", "scoring": {"method": "sum"},
		"items": [{"code": "calm", "text": "I feel calm", "min": 1, "max": 5},
		          {"code": "tense", "text": "I feel tense", "min": 1, "max": 5, "reverse": true}]}`))
	if err != nil {
		t.Fatal(err)
	}
	// calm 4 + tense 2 flipped to 1+5−2 = 4 → 8.
	s := in.Score([]Answer{{Item: "calm", Value: 4}, {Item: "tense", Value: 2}})
	if *s.Raw != 8 || *s.Value != 8 {
		t.Errorf("raw %d value %v, want 8 and 8", *s.Raw, *s.Value)
	}
}

func TestGoalAttainmentScoresTheMeanOfThePersonsGoals(t *testing.T) {
	in := mustBuiltIn(t, "goals")
	answers, err := in.ReadAnswers(map[string]string{"goal1-text": "Get to the allotment each week", "goal1": "2",
		"goal2-text": "Ring my sister", "goal2": "5"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(answers) != 2 || answers[0].Text != "Get to the allotment each week" {
		t.Fatalf("answers %+v", answers)
	}
	if s := in.Score(answers); *s.Value != 3.5 {
		t.Errorf("mean of 2 and 5 is 3.5, got %v", *s.Value)
	}
	// At a follow-up the baseline's goals are rated again; typed words are ignored.
	goals := map[string]string{"goal1": "Get to the allotment each week", "goal2": "Ring my sister"}
	later, err := in.ReadAnswers(map[string]string{"goal1": "8", "goal2": "9", "goal1-text": "something else"}, goals)
	if err != nil {
		t.Fatal(err)
	}
	if later[0].Text != goals["goal1"] || *in.Score(later).Value != 8.5 {
		t.Errorf("follow-up answers %+v", later)
	}
	if _, err := in.ReadAnswers(map[string]string{"goal1": "8"}, goals); apperr.FieldMessage(err, "goal2") == "" {
		t.Errorf("a goal set at the baseline left unrated should be an error on goal2, got %v", err)
	}
	_, err = in.ReadAnswers(map[string]string{}, nil)
	if apperr.FieldMessage(err, "goal1-text") == "" {
		t.Errorf("no goals at all should ask for the first goal's words, got %v", err)
	}
}

func TestAnswersOutOfRangeOrMissingAreRefusedByItem(t *testing.T) {
	in := mustBuiltIn(t, "ons4")
	_, err := in.ReadAnswers(map[string]string{"satisfied": "11", "worthwhile": "x", "happy": "5"}, nil)
	for _, f := range []string{"satisfied", "worthwhile", "anxious"} {
		if apperr.FieldMessage(err, f) == "" {
			t.Errorf("expected an error on %s, got %v", f, err)
		}
	}
	if apperr.FieldMessage(err, "happy") != "" {
		t.Errorf("happy was fine")
	}
}

func TestInstrumentFilesNameTheLineAndFieldOfEachProblem(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		want       []string
	}{
		{"bad JSON", "{\n  \"code\": \"x\",\n  \"version\": 1,,\n}", []string{"line 3:", "not valid JSON"}},
		{"wrong type", "{\n  \"code\": \"x\",\n  \"version\": \"one\"\n}", []string{"line 3:", "version", "expected int"}},
		{"unknown field", "{\n  \"code\": \"x\",\n  \"colour\": \"red\"\n}", []string{"line 3:", "colour", "not part of the instrument format"}},
		{"item range", "{\"code\": \"x\", \"version\": 1, \"name\": \"X\", \"scoring\": {\"method\": \"sum\"}, \"items\": [\n {\"code\": \"a\", \"text\": \"A\", \"min\": 0, \"max\": 4},\n {\"code\": \"b\", \"text\": \"B\", \"min\": 5, \"max\": 2}\n]}",
			[]string{"line 3:", "items[1].max", "min below max"}},
		{"duplicate item", "{\"code\": \"x\", \"version\": 1, \"name\": \"X\", \"scoring\": {\"method\": \"per_item\"}, \"items\": [\n {\"code\": \"a\", \"text\": \"A\", \"min\": 0, \"max\": 4},\n {\"code\": \"a\", \"text\": \"B\", \"min\": 0, \"max\": 4}\n]}",
			[]string{"line 3:", "items[1].code", "earlier item"}},
		{"method", `{"code": "x", "version": 1, "name": "X", "scoring": {"method": "average"}, "items": [{"code": "a", "text": "A", "min": 0, "max": 4}]}`,
			[]string{"scoring.method"}},
		{"licence", `{"code": "x", "version": 1, "name": "X", "licence": {"required": true}, "scoring": {"method": "per_item"}, "items": [{"code": "a", "text": "A", "min": 0, "max": 4}]}`,
			[]string{"licence.note"}},
		{"short table", `{"code": "x", "version": 1, "name": "X", "scoring": {"method": "sum", "conversion": [{"raw": 0, "score": 1}]}, "items": [{"code": "a", "text": "A", "min": 0, "max": 2}]}`,
			[]string{"scoring.conversion", "every raw total from 0 to 2"}},
		{"empty", ``, []string{"empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseInstrument([]byte(tc.file))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestItemChoicesLabelTheEnds(t *testing.T) {
	it, _ := mustBuiltIn(t, "ons4").Item("anxious")
	c := it.Choices()
	if len(c) != 11 || c[0].Label != "0 – Not at all" || c[10].Label != "10 – Completely" || c[5].Label != "5" {
		t.Errorf("choices %v", c)
	}
	sw, _ := mustBuiltIn(t, "swemwbs").Item("useful")
	if got := fmt.Sprint(sw.Choices()[0]); got != "{1 None of the time}" {
		t.Errorf("SWEMWBS first choice %s", got)
	}
}

func TestMarkers(t *testing.T) {
	day := 24 * 60 * 60 * 1e9
	for _, tc := range []struct {
		days               int
		baseline, followUp bool
		want               string
	}{
		{3, false, false, "Baseline due"}, {14, false, false, "Baseline overdue"}, {30, true, false, ""},
		{84, true, false, "Follow-up due"}, {112, true, false, "Follow-up overdue"}, {200, true, true, ""},
	} {
		if got := markerFor(durationDays(tc.days, day), tc.baseline, tc.followUp); got.Label != tc.want {
			t.Errorf("%d days baseline=%t follow-up=%t: %q, want %q", tc.days, tc.baseline, tc.followUp, got.Label, tc.want)
		}
	}
}

func durationDays(n int, day float64) time.Duration { return time.Duration(float64(n) * day) }
