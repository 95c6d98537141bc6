package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Charts are drawn on the server as SVG, so that they need no JavaScript. Each has a title
// and a description that says what it shows in words, and tells its series apart by pattern
// (dashes, marker shapes, hatching) as well as colour; the table beside it holds the same
// numbers. Only presentation attributes are used, which the content security policy allows.

// chartColours are NHS.UK palette colours with enough contrast against white.
var chartColours = []string{"#005eb8", "#d5281b", "#007f3b", "#330072", "#4c6272", "#7c2855"}

// chartDashes and chartMarkers tell line series apart without colour.
var chartDashes = []string{"", "8 4", "2 4", "12 4 3 4", "4 4", "1 2"}

func chartMarker(i int, x, y float64, colour string) string {
	switch i % 4 {
	case 0:
		return fmt.Sprintf(`<circle cx="%.1f" cy="%.1f" r="4.5" fill="%s"/>`, x, y, colour)
	case 1:
		return fmt.Sprintf(`<rect x="%.1f" y="%.1f" width="9" height="9" fill="%s"/>`, x-4.5, y-4.5, colour)
	case 2:
		return fmt.Sprintf(`<path d="M%.1f %.1fl5 9h-10z" fill="%s"/>`, x, y-5, colour)
	}
	return fmt.Sprintf(`<path d="M%.1f %.1fl5 5-5 5-5-5z" fill="%s"/>`, x, y-5, colour)
}

// lineSeries is one line of a line chart; a nil value is a gap.
type lineSeries struct {
	Name   string
	Values []*float64
}

// lineChart draws series against x labels on a y scale from lo to hi.
func lineChart(id, title, desc string, xLabels []string, series []lineSeries, lo, hi float64) template.HTML {
	const w, left, right, top, plotH = 640.0, 48.0, 16.0, 16.0, 220.0
	height := top + plotH + 40 + 20*float64((len(series)+1)/2)
	var b strings.Builder
	svgOpen(&b, id, title, desc, w, height)
	y := func(v float64) float64 { return top + plotH - (v-lo)/(hi-lo)*plotH }
	x := func(i int) float64 {
		if len(xLabels) == 1 {
			return left + (w-left-right)/2
		}
		return left + 20 + float64(i)*(w-left-right-40)/float64(len(xLabels)-1)
	}
	step := niceStep(hi - lo)
	for v := lo; v <= hi+1e-9; v += step {
		fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f" stroke="#d8dde0"/>`, left, w-right, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end" font-size="12" fill="#212b32">%s</text>`, left-6, y(v)+4, trimFloat(v))
	}
	for i, l := range xLabels {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="12" fill="#212b32">%s</text>`, x(i), top+plotH+18, html.EscapeString(l))
	}
	for si, s := range series {
		colour, dash := chartColours[si%len(chartColours)], chartDashes[si%len(chartDashes)]
		var path strings.Builder
		pen := "M"
		for i, v := range s.Values {
			if v == nil {
				pen = "M"
				continue
			}
			fmt.Fprintf(&path, "%s%.1f %.1f ", pen, x(i), y(*v))
			pen = "L"
		}
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="2.5"%s/>`, strings.TrimSpace(path.String()), colour, dashAttr(dash))
		for i, v := range s.Values {
			if v != nil {
				b.WriteString(chartMarker(si, x(i), y(*v), colour))
			}
		}
		lx, ly := left+float64(si%2)*280, top+plotH+40+float64(si/2)*20
		fmt.Fprintf(&b, `<line x1="%.0f" x2="%.0f" y1="%.0f" y2="%.0f" stroke="%s" stroke-width="2.5"%s/>`, lx, lx+36, ly, ly, colour, dashAttr(dash))
		b.WriteString(chartMarker(si, lx+18, ly, colour))
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="13" fill="#212b32">%s</text>`, lx+44, ly+4, html.EscapeString(s.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func dashAttr(d string) string {
	if d == "" {
		return ""
	}
	return ` stroke-dasharray="` + d + `"`
}

func svgOpen(b *strings.Builder, id, title, desc string, w, h float64) {
	fmt.Fprintf(b, `<svg class="app-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-labelledby="%s-title %s-desc" focusable="false">`, w, h, id, id)
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, html.EscapeString(title), id, html.EscapeString(desc))
}

// niceStep is a gridline spacing giving four to ten lines over span.
func niceStep(span float64) float64 {
	if span <= 0 {
		return 1
	}
	step := math.Pow(10, math.Floor(math.Log10(span)))
	for span/step > 10 {
		step *= 2
	}
	for span/step < 4 && step > 0.1 {
		step /= 2
	}
	return step
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

// bar is one bar of a bar chart. Hidden bars (suppressed small numbers) are labelled but
// not drawn; Low and High, when set, draw a confidence interval.
type bar struct {
	Label     string
	Value     float64
	Text      string // the value as shown, such as "12" or "<5"
	Hidden    bool
	Low, High *float64
}

// barChart draws horizontal bars, hatched in turn as well as coloured, from a zero line
// that sits inside the range when some values are negative.
func barChart(id, title, desc string, bars []bar) template.HTML {
	const w, labelW, right, rowH, top = 640.0, 220.0, 70.0, 30.0, 8.0
	h := top*2 + rowH*float64(len(bars)) + 4
	lo, hi := 0.0, 0.0
	for _, br := range bars {
		if br.Hidden {
			continue
		}
		lo, hi = math.Min(lo, br.Value), math.Max(hi, br.Value)
		if br.Low != nil {
			lo, hi = math.Min(lo, *br.Low), math.Max(hi, *br.High)
		}
	}
	if hi == lo {
		hi = lo + 1
	}
	plotW := w - labelW - right
	x := func(v float64) float64 { return labelW + (v-lo)/(hi-lo)*plotW }
	var b strings.Builder
	svgOpen(&b, id, title, desc, w, h)
	b.WriteString(`<defs>`)
	for i := range chartColours {
		fmt.Fprintf(&b, `<pattern id="%s-p%d" patternUnits="userSpaceOnUse" width="8" height="8">%s</pattern>`, id, i, hatch(i, chartColours[i]))
	}
	b.WriteString(`</defs>`)
	fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.0f" y2="%.0f" stroke="#4c6272"/>`, x(0), x(0), top, h-top)
	for i, br := range bars {
		yy := top + float64(i)*rowH
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end" font-size="13" fill="#212b32">%s</text>`, labelW-8, yy+rowH/2+4, html.EscapeString(br.Label))
		if !br.Hidden {
			x0, x1 := x(math.Min(0, br.Value)), x(math.Max(0, br.Value))
			c := i % len(chartColours)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="url(#%s-p%d)" stroke="%s" stroke-width="1.5"/>`,
				x0, yy+5, math.Max(x1-x0, 1), rowH-10, id, c, chartColours[c])
			if br.Low != nil {
				fmt.Fprintf(&b, `<path d="M%.1f %.1fH%.1fM%.1f %.1fv8M%.1f %.1fv8" stroke="#212b32" stroke-width="1.5" fill="none"/>`,
					x(*br.Low), yy+rowH/2, x(*br.High), x(*br.Low), yy+rowH/2-4, x(*br.High), yy+rowH/2-4)
			}
		}
		tx := x(math.Max(0, br.Value)) + 6
		if br.Hidden {
			tx = x(0) + 6
		}
		if br.High != nil && !br.Hidden {
			tx = math.Max(tx, x(*br.High)+6)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="13" fill="#212b32">%s</text>`, tx, yy+rowH/2+4, html.EscapeString(br.Text))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// hatch is the fill pattern of the i'th series: solid, diagonal, dotted, crossed, and so on.
func hatch(i int, colour string) string {
	bg := fmt.Sprintf(`<rect width="8" height="8" fill="%s" fill-opacity="0.25"/>`, colour)
	switch i % 4 {
	case 0:
		return fmt.Sprintf(`<rect width="8" height="8" fill="%s"/>`, colour)
	case 1:
		return bg + fmt.Sprintf(`<path d="M0 8L8 0M-2 2L2 -2M6 10L10 6" stroke="%s" stroke-width="2"/>`, colour)
	case 2:
		return bg + fmt.Sprintf(`<circle cx="4" cy="4" r="2" fill="%s"/>`, colour)
	}
	return bg + fmt.Sprintf(`<path d="M0 4H8M4 0V8" stroke="%s" stroke-width="2"/>`, colour)
}
