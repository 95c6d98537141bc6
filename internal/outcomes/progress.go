package outcomes

// ItemChange is one item's answers over a case and its change since the baseline.
type ItemChange struct {
	Item   Item
	Text   string // a goal in the person's own words
	Values []*int // one per response, nil where the item was not answered
	Change *int   // latest minus baseline, when both exist
	Better bool   // the change is an improvement, allowing for reverse-scored items
	Worse  bool
}

// Progress is one instrument's measures over a case.
type Progress struct {
	Instrument  Instrument
	Responses   []Response
	Items       []ItemChange
	ScoreChange *float64 // for a scored instrument: latest score minus baseline score
}

// Summarise gathers a case's responses to one instrument, oldest first, and the change of
// each item from the baseline to the latest later measure.
func Summarise(in Instrument, all []Response) Progress {
	p := Progress{Instrument: in}
	for _, r := range all {
		if r.Instrument == in.Code {
			p.Responses = append(p.Responses, r)
		}
	}
	base, last := ends(p.Responses)
	for _, it := range in.Items {
		ic := ItemChange{Item: it}
		for _, r := range p.Responses {
			a, ok := r.Answer(it.Code)
			if !ok {
				ic.Values = append(ic.Values, nil)
				continue
			}
			v := a.Value
			ic.Values = append(ic.Values, &v)
			if ic.Text == "" {
				ic.Text = a.Text
			}
		}
		if in.Scoring.Method == Goals && ic.Text == "" {
			continue // a goal the person did not set
		}
		if base != nil && last != nil {
			b, okb := base.Answer(it.Code)
			l, okl := last.Answer(it.Code)
			if okb && okl {
				d := l.Value - b.Value
				ic.Change = &d
				ic.Better = d > 0 && !it.Reverse || d < 0 && it.Reverse
				ic.Worse = d < 0 && !it.Reverse || d > 0 && it.Reverse
			}
		}
		p.Items = append(p.Items, ic)
	}
	if base != nil && last != nil && base.Value != nil && last.Value != nil {
		d := *last.Value - *base.Value
		p.ScoreChange = &d
	}
	return p
}

// ends finds the baseline and the latest measure after it: the follow-up if there is one,
// otherwise the newest review.
func ends(rs []Response) (base, last *Response) {
	for i := range rs {
		switch rs[i].Timepoint {
		case Baseline:
			base = &rs[i]
		case FollowUp:
			last = &rs[i]
		case Interim:
			if last == nil || last.Timepoint == Interim {
				last = &rs[i]
			}
		}
	}
	return base, last
}
