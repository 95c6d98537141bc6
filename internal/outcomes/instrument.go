// Package outcomes holds wellbeing measures (DESIGN §3.5): questionnaire instruments held as
// data with their scoring rules and licence, which of them each service uses, answers stored
// with the instrument version they answered, single-use links for a person to answer alone,
// and each person's change since their baseline.
package outcomes

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// Scoring methods an instrument can use.
const (
	PerItem = "per_item" // each item reported on its own, as ONS4
	Sum     = "sum"      // items summed, reverse-scored ones flipped, then converted if a table is given
	Goals   = "goals"    // goals in the person's own words, each rated; the score is their mean
)

// Instrument is a questionnaire with its scoring rules and the licence it needs.
type Instrument struct {
	Code        string  `json:"code"`
	Version     int     `json:"version"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Licence     Licence `json:"licence"`
	Scoring     Scoring `json:"scoring"`
	Items       []Item  `json:"items"`
	BuiltIn     bool    `json:"-"`
}

// Licence says whether a service must record that it holds a licence before using the
// instrument, and the notice to show with it.
type Licence struct {
	Required bool   `json:"required"`
	Note     string `json:"note"`
}

// Scoring is how answers become scores.
type Scoring struct {
	Method     string       `json:"method"`
	Conversion []Conversion `json:"conversion,omitempty"`
}

// Conversion maps one raw total to the score reported for it.
type Conversion struct {
	Raw   int     `json:"raw"`
	Score float64 `json:"score"`
}

// Item is one question. Reverse marks an item where a lower answer is better: it is flipped
// before summing, and a fall counts as an improvement when reported on its own.
type Item struct {
	Code     string   `json:"code"`
	Label    string   `json:"label"`
	Text     string   `json:"text"`
	Min      int      `json:"min"`
	Max      int      `json:"max"`
	MinLabel string   `json:"min_label,omitempty"`
	MaxLabel string   `json:"max_label,omitempty"`
	Options  []Option `json:"options,omitempty"`
	Reverse  bool     `json:"reverse,omitempty"`
	Optional bool     `json:"optional,omitempty"`
}

// Option names one answer to an item.
type Option struct {
	Value int    `json:"value"`
	Label string `json:"label"`
}

// Item returns the item with a code.
func (in Instrument) Item(code string) (Item, bool) {
	i := slices.IndexFunc(in.Items, func(it Item) bool { return it.Code == code })
	if i < 0 {
		return Item{}, false
	}
	return in.Items[i], true
}

// Choices lists an item's answers, lowest first: its named options, or every whole number
// from Min to Max labelled with the ends' names.
func (it Item) Choices() []Option {
	if len(it.Options) > 0 {
		return it.Options
	}
	out := make([]Option, 0, it.Max-it.Min+1)
	for v := it.Min; v <= it.Max; v++ {
		label := fmt.Sprint(v)
		switch {
		case v == it.Min && it.MinLabel != "":
			label += " – " + it.MinLabel
		case v == it.Max && it.MaxLabel != "":
			label += " – " + it.MaxLabel
		}
		out = append(out, Option{Value: v, Label: label})
	}
	return out
}

// Summed reports whether the instrument gives one total score.
func (in Instrument) Summed() bool { return in.Scoring.Method == Sum }

// RawRange is the lowest and highest raw total of a summed instrument.
func (in Instrument) RawRange() (lo, hi int) {
	for _, it := range in.Items {
		lo += it.Min
		hi += it.Max
	}
	return lo, hi
}

//go:embed instruments/*.json
var builtInFS embed.FS

// builtIns are the instruments Linkwell ships, by code: ONS4 and goal attainment on by
// default, SWEMWBS off until a service records its licence.
var builtIns = func() map[string]Instrument {
	out := map[string]Instrument{}
	for _, name := range []string{"ons4", "goals", "swemwbs"} {
		b, err := builtInFS.ReadFile("instruments/" + name + ".json")
		if err != nil {
			panic(err)
		}
		in, err := ParseInstrument(b)
		if err != nil {
			panic(fmt.Sprintf("built-in instrument %s: %v", name, err))
		}
		in.BuiltIn = true
		out[in.Code] = in
	}
	return out
}()

// BuiltInCodes lists the shipped instruments in the order they are offered.
var BuiltInCodes = []string{"ons4", "goals", "swemwbs"}

// BuiltIn returns a shipped instrument.
func BuiltIn(code string) (Instrument, bool) {
	in, ok := builtIns[code]
	return in, ok
}

// onByDefault reports whether a service uses an instrument it has said nothing about.
func onByDefault(code string) bool { return code == "ons4" || code == "goals" }

// FileError is one problem with an instrument file: where it is and what is wrong.
type FileError struct {
	Line    int    // 1-based, 0 when the problem is with the file as a whole
	Field   string // a path such as items[2].max
	Message string
}

func (e FileError) String() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// FileErrors is every problem found in an instrument file.
type FileErrors []FileError

func (fe FileErrors) Error() string {
	out := make([]string, len(fe))
	for i, e := range fe {
		out[i] = e.String()
	}
	return strings.Join(out, "; ")
}

// ParseInstrument reads an instrument file (JSON, described in docs/instruments.md) and
// checks it, returning FileErrors that name the line and field of each problem.
func ParseInstrument(b []byte) (Instrument, error) {
	var in Instrument
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return Instrument{}, FileErrors{decodeError(b, err)}
	}
	if dec.More() {
		return Instrument{}, FileErrors{{Line: lineAt(b, dec.InputOffset()), Message: "the file holds more than one instrument: give one only"}}
	}
	if errs := in.validate(itemLines(b)); len(errs) > 0 {
		return Instrument{}, errs
	}
	return in, nil
}

// decodeError turns a JSON failure into the line it happened on and plain words.
func decodeError(b []byte, err error) FileError {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return FileError{Line: lineAt(b, syn.Offset), Message: "this is not valid JSON: " + syn.Error()}
	case errors.As(err, &typ):
		return FileError{Line: lineAt(b, typ.Offset), Field: typ.Field, Message: fmt.Sprintf("expected %s, found a JSON %s", typ.Type, typ.Value)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return FileError{Line: lineOf(b, `"`+field+`"`), Field: field, Message: "this field is not part of the instrument format"}
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return FileError{Message: "the file is empty or ends too soon"}
	}
	return FileError{Message: err.Error()}
}

// lineAt is the 1-based line holding byte offset off.
func lineAt(b []byte, off int64) int {
	off = min(max(off, 0), int64(len(b)))
	return bytes.Count(b[:off], []byte("\n")) + 1
}

// lineOf is the line of the first occurrence of s, or 0.
func lineOf(b []byte, s string) int {
	i := bytes.Index(b, []byte(s))
	if i < 0 {
		return 0
	}
	return lineAt(b, int64(i))
}

// itemLines finds the line each item starts on, so that a problem with an item names it.
func itemLines(b []byte) []int {
	var out []int
	i := bytes.Index(b, []byte(`"items"`))
	if i < 0 {
		return nil
	}
	depth := 0
	inString := false
	for j := i; j < len(b); j++ {
		switch c := b[j]; {
		case inString:
			if c == '\\' {
				j++
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			if c == '{' && depth == 1 {
				out = append(out, lineAt(b, int64(j)))
			}
			depth++
		case c == ']' || c == '}':
			depth--
			if depth == 0 {
				return out
			}
		}
	}
	return out
}

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// validate checks an instrument's rules; lines gives each item's line, where known.
func (in Instrument) validate(lines []int) FileErrors {
	var errs FileErrors
	add := func(line int, field, format string, args ...any) {
		errs = append(errs, FileError{Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !codePattern.MatchString(in.Code) {
		add(0, "code", "give a code of lower-case letters, digits and underscores, starting with a letter, at most 40 long")
	}
	if in.Version < 1 {
		add(0, "version", "give a version number of 1 or more")
	}
	if strings.TrimSpace(in.Name) == "" || len(in.Name) > 200 {
		add(0, "name", "give a name of 1 to 200 characters")
	}
	if in.Licence.Required && strings.TrimSpace(in.Licence.Note) == "" {
		add(0, "licence.note", "an instrument that needs a licence must say whose licence in its note")
	}
	if !slices.Contains([]string{PerItem, Sum, Goals}, in.Scoring.Method) {
		add(0, "scoring.method", `must be "per_item", "sum" or "goals"`)
	}
	if len(in.Items) == 0 || len(in.Items) > 50 {
		add(0, "items", "give between 1 and 50 items")
	}
	seen := map[string]bool{}
	for i, it := range in.Items {
		line := 0
		if i < len(lines) {
			line = lines[i]
		}
		at := fmt.Sprintf("items[%d]", i)
		errs = append(errs, it.validate(line, at, seen)...)
	}
	if len(errs) == 0 {
		errs = append(errs, in.validateConversion()...)
	}
	return errs
}

func (it Item) validate(line int, at string, seen map[string]bool) FileErrors {
	var errs FileErrors
	add := func(field, format string, args ...any) {
		errs = append(errs, FileError{Line: line, Field: at + "." + field, Message: fmt.Sprintf(format, args...)})
	}
	if !codePattern.MatchString(it.Code) {
		add("code", "give a code of lower-case letters, digits and underscores, starting with a letter")
	} else if seen[it.Code] {
		add("code", "%q is used by an earlier item: each item needs its own code", it.Code)
	}
	seen[it.Code] = true
	if strings.TrimSpace(it.Text) == "" {
		add("text", "give the question as the person reads it")
	}
	if it.Min < 0 || it.Max > 100 || it.Min >= it.Max {
		add("max", "min and max must be whole numbers from 0 to 100, with min below max (found %d to %d)", it.Min, it.Max)
	}
	for j, o := range it.Options {
		if o.Value < it.Min || o.Value > it.Max {
			add(fmt.Sprintf("options[%d].value", j), "%d is outside the item's range %d to %d", o.Value, it.Min, it.Max)
		}
		if strings.TrimSpace(o.Label) == "" {
			add(fmt.Sprintf("options[%d].label", j), "give each option a label")
		}
	}
	if len(it.Options) > 0 && len(it.Options) != it.Max-it.Min+1 {
		add("options", "give one option for every value from %d to %d, or none", it.Min, it.Max)
	}
	return errs
}

// validateConversion checks that a conversion table, if given, covers every raw total of a
// summed instrument exactly once, and only a summed instrument has one.
func (in Instrument) validateConversion() FileErrors {
	conv := in.Scoring.Conversion
	if len(conv) == 0 {
		return nil
	}
	if in.Scoring.Method != Sum {
		return FileErrors{{Field: "scoring.conversion", Message: `only a "sum" instrument can have a conversion table`}}
	}
	lo, hi := in.RawRange()
	have := map[int]bool{}
	for i, c := range conv {
		if c.Raw < lo || c.Raw > hi || have[c.Raw] {
			return FileErrors{{Field: fmt.Sprintf("scoring.conversion[%d].raw", i),
				Message: fmt.Sprintf("raw totals must each appear once and run from %d to %d", lo, hi)}}
		}
		have[c.Raw] = true
	}
	if len(have) != hi-lo+1 {
		return FileErrors{{Field: "scoring.conversion", Message: fmt.Sprintf("give a score for every raw total from %d to %d (found %d)", lo, hi, len(have))}}
	}
	return nil
}
