package reports

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Grid is a table to export: a name, a header row and the rows beneath it.
type Grid struct {
	Name   string
	Header []string
	Rows   [][]string
}

// Grid lays a section out for export: the row label first, then its cells.
func (s Section) Grid() Grid {
	g := Grid{Name: s.Title, Header: s.Columns}
	for _, r := range s.Rows {
		g.Rows = append(g.Rows, append([]string{r.Label}, r.Cells...))
	}
	return g
}

// Neutralise makes a cell safe to open in a spreadsheet: text starting with a character that
// a spreadsheet reads as the start of a formula (= + - @, tab or carriage return) gets a
// leading apostrophe, so it is shown as text and never run. Plain numbers, such as -2.00,
// are left alone: a spreadsheet reads them as numbers.
func Neutralise(cell string) string {
	if cell == "" || !strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return cell
	}
	if _, err := strconv.ParseFloat(cell, 64); err == nil {
		return cell
	}
	return "'" + cell
}

// WriteCSV writes grids as CSV, one after another with a blank line between, every cell
// neutralised.
func WriteCSV(w io.Writer, grids ...Grid) error {
	cw := csv.NewWriter(w)
	for i, g := range grids {
		if i > 0 {
			cw.Write(nil)
		}
		if len(grids) > 1 {
			cw.Write([]string{Neutralise(g.Name)})
		}
		for _, row := range append([][]string{g.Header}, g.Rows...) {
			out := make([]string, len(row))
			for j, c := range row {
				out[j] = Neutralise(c)
			}
			if err := cw.Write(out); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteXLSX writes grids as an Office Open XML workbook, one worksheet a grid, built with
// archive/zip and encoding/xml: a workbook needs only these five parts, which is less than a
// dependency would bring. Numbers are stored as numbers; text as inline strings, neutralised.
func WriteXLSX(w io.Writer, grids ...Grid) error {
	z := zip.NewWriter(w)
	put := func(name, body string) error {
		f, err := z.Create(name)
		if err != nil {
			return err
		}
		_, err = io.WriteString(f, xml.Header+body)
		return err
	}
	var sheets, rels, types strings.Builder
	for i := range grids {
		n := i + 1
		fmt.Fprintf(&sheets, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, xmlText(sheetName(grids[i].Name, n)), n, n)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, n, n)
		fmt.Fprintf(&types, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, n)
	}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			types.String() + `</Types>`},
		{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>` +
			sheets.String() + `</sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() + `</Relationships>`},
	}
	for i, g := range grids {
		parts = append(parts, struct{ name, body string }{fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), sheetXML(g)})
	}
	for _, p := range parts {
		if err := put(p.name, p.body); err != nil {
			return fmt.Errorf("write xlsx %s: %w", p.name, err)
		}
	}
	return z.Close()
}

func sheetXML(g Grid) string {
	var b strings.Builder
	b.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for i, row := range append([][]string{g.Header}, g.Rows...) {
		fmt.Fprintf(&b, `<row r="%d">`, i+1)
		for j, c := range row {
			ref := columnName(j) + strconv.Itoa(i+1)
			if _, err := strconv.ParseFloat(c, 64); err == nil && i > 0 {
				fmt.Fprintf(&b, `<c r="%s"><v>%s</v></c>`, ref, c)
				continue
			}
			fmt.Fprintf(&b, `<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>`, ref, xmlText(Neutralise(c)))
		}
		b.WriteString(`</row>`)
	}
	b.WriteString(`</sheetData></worksheet>`)
	return b.String()
}

// columnName is a spreadsheet column's letters: A, B, ... Z, AA, AB, ...
func columnName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}

func xmlText(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// sheetName is a worksheet name spreadsheets accept: at most 31 characters, none of : \ / ? * [ ].
func sheetName(name string, n int) string {
	name = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return ' '
		}
		return r
	}, name)
	if name = strings.TrimSpace(name); name == "" {
		name = fmt.Sprint("Sheet ", n)
	}
	if len([]rune(name)) > 28 {
		name = string([]rune(name)[:28])
	}
	return fmt.Sprintf("%d %s", n, name)
}

// ReadXLSX reads back the cells of each worksheet of a workbook WriteXLSX wrote, for tests
// and for checking an export.
func ReadXLSX(b []byte) ([][][]string, error) {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	var out [][][]string
	for n := 1; ; n++ {
		f, err := z.Open(fmt.Sprintf("xl/worksheets/sheet%d.xml", n))
		if err != nil {
			return out, nil
		}
		var ws struct {
			Rows []struct {
				Cells []struct {
					Value  string `xml:"v"`
					Inline string `xml:"is>t"`
				} `xml:"c"`
			} `xml:"sheetData>row"`
		}
		err = xml.NewDecoder(f).Decode(&ws)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("sheet %d: %w", n, err)
		}
		var sheet [][]string
		for _, r := range ws.Rows {
			var row []string
			for _, c := range r.Cells {
				row = append(row, c.Value+c.Inline)
			}
			sheet = append(sheet, row)
		}
		out = append(out, sheet)
	}
}
