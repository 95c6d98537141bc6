package outcomes

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/linkwell/linkwell/internal/apperr"
)

// Answer is one item's answer; Text holds a goal in the person's own words.
type Answer struct {
	Item  string
	Value int
	Text  string
}

// Score is what a response's answers add up to: Raw is the total of a summed instrument and
// Value the score reported (converted where the instrument has a table, the mean rating for
// goals). Both are nil for an instrument reported item by item.
type Score struct {
	Raw   *int
	Value *float64
}

// Score works out the score of a complete set of answers.
func (in Instrument) Score(answers []Answer) Score {
	switch in.Scoring.Method {
	case Sum:
		raw := 0
		for _, a := range answers {
			it, _ := in.Item(a.Item)
			v := a.Value
			if it.Reverse {
				v = it.Min + it.Max - v
			}
			raw += v
		}
		value := float64(raw)
		for _, c := range in.Scoring.Conversion {
			if c.Raw == raw {
				value = c.Score
			}
		}
		return Score{Raw: &raw, Value: &value}
	case Goals:
		if len(answers) == 0 {
			return Score{}
		}
		sum := 0
		for _, a := range answers {
			sum += a.Value
		}
		mean := float64(sum) / float64(len(answers))
		return Score{Value: &mean}
	}
	return Score{}
}

// GoalTextField is the form field that holds a goal's words.
func GoalTextField(item string) string { return item + "-text" }

// ReadAnswers checks the answers typed into a form, by item code, and returns them in the
// instrument's order. For goal attainment, goals names the goals set at the baseline: when
// given they are rated again as they are; when nil the person states them now.
func (in Instrument) ReadAnswers(form map[string]string, goals map[string]string) ([]Answer, error) {
	var errs apperr.Fields
	var out []Answer
	for _, it := range in.Items {
		a, skip, msg := in.readOne(it, form, goals)
		switch {
		case msg != "":
			errs.Add(msgField(it, msg), msg)
		case !skip:
			out = append(out, a)
		}
	}
	if in.Scoring.Method == Goals && len(out) == 0 && len(errs) == 0 {
		errs.Add(GoalTextField(in.Items[0].Code), "Enter at least one goal, in the person's own words")
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// msgField is the field an error about an item points at: the goal's words when they are
// what is missing, otherwise the answer.
func msgField(it Item, msg string) string {
	if strings.HasPrefix(msg, "Enter the") || strings.HasPrefix(msg, "Goal must") {
		return GoalTextField(it.Code)
	}
	return it.Code
}

// readOne reads one item's answer; skip is set for an optional goal left empty.
func (in Instrument) readOne(it Item, form, goals map[string]string) (a Answer, skip bool, msg string) {
	raw := strings.TrimSpace(form[it.Code])
	a.Item = it.Code
	if in.Scoring.Method == Goals {
		if goals != nil {
			a.Text = goals[it.Code]
		} else {
			a.Text = strings.TrimSpace(form[GoalTextField(it.Code)])
		}
		switch {
		case a.Text == "" && raw == "" && (it.Optional || goals != nil):
			return a, true, ""
		case a.Text == "":
			return a, false, "Enter the " + strings.ToLower(it.Label) + ", in the person's own words"
		case len(a.Text) > 300:
			return a, false, "Goal must be 300 characters or fewer"
		}
	}
	if raw == "" {
		return a, false, "Select an answer for “" + it.Text + "”"
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v < it.Min || v > it.Max {
		return a, false, fmt.Sprintf("Answer for “%s” must be from %d to %d", it.Text, it.Min, it.Max)
	}
	a.Value = v
	return a, false, ""
}
