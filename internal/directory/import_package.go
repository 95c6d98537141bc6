package directory

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// Package is an HSDS 3.0 tabular data package: a folder holding datapackage.json and a CSV
// file per table (services.csv, organizations.csv, locations.csv, ...), each row naming its
// parent by id. Read assembles each service nested as ORUK's /services/{id} serves it. The
// field types in datapackage.json (number, integer, boolean) type the cells; a cell that does
// not read as its type is passed on as text, so that the service is rejected naming the field.
type Package string

// IsPackage reports whether path is a tabular package's folder or its datapackage.json.
func IsPackage(path string) bool {
	if filepath.Base(path) == "datapackage.json" {
		return true
	}
	_, err := os.Stat(filepath.Join(path, "datapackage.json"))
	return err == nil
}

type row = map[string]any

// Read assembles and sends every service in services.csv, in order.
func (p Package) Read(ctx context.Context, r Receiver) error {
	dir := string(p)
	if filepath.Base(dir) == "datapackage.json" {
		dir = filepath.Dir(dir)
	}
	pkg, err := readDataPackage(dir)
	if err != nil {
		return err
	}
	services, err := pkg.table("services")
	if err != nil {
		return err
	}
	if services == nil {
		return fmt.Errorf("read package %s: it has no services table", dir)
	}
	a, err := newAssembler(pkg)
	if err != nil {
		return err
	}
	r.Expect(len(services))
	for i, s := range services {
		rec := Record{ID: text(s["id"]), Where: fmt.Sprintf("services.csv row %d", i+2)}
		rec.JSON, rec.Err = json.Marshal(a.service(s))
		if err := r.Receive(ctx, rec); err != nil {
			return err
		}
	}
	return nil
}

// dataPackage is datapackage.json: where each table is and its fields' types.
type dataPackage struct {
	dir       string
	Resources []struct {
		Name   string `json:"name"`
		Path   string `json:"path"`
		Schema struct {
			Fields []struct {
				Name string `json:"name"`
				Type string `json:"type"`
			} `json:"fields"`
		} `json:"schema"`
	} `json:"resources"`
}

func readDataPackage(dir string) (dataPackage, error) {
	pkg := dataPackage{dir: dir}
	b, err := os.ReadFile(filepath.Join(dir, "datapackage.json"))
	if err != nil {
		return pkg, fmt.Errorf("read package: %w", err)
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		return pkg, fmt.Errorf("read package: datapackage.json: %v", feedJSONError(err))
	}
	return pkg, nil
}

// table reads the named table's rows, typed, leaving out empty cells; a table the package
// does not have is nil.
func (pkg dataPackage) table(name string) ([]row, error) {
	path, types := name+".csv", map[string]string{}
	for _, res := range pkg.Resources {
		if res.Name == name {
			path = res.Path
			for _, f := range res.Schema.Fields {
				types[f.Name] = f.Type
			}
		}
	}
	f, err := os.Open(filepath.Join(pkg.dir, filepath.FromSlash(path)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read package: %w", err)
	}
	defer f.Close()
	return readTable(f, path, types)
}

func readTable(f io.Reader, path string, types map[string]string) ([]row, error) {
	cr := csv.NewReader(f)
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read package: %s: %w", path, err)
	}
	var rows []row
	for {
		cells, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read package: %s: %w", path, err)
		}
		r := row{}
		for i, cell := range cells {
			if cell != "" && i < len(header) {
				r[header[i]] = typed(cell, types[header[i]])
			}
		}
		rows = append(rows, r)
	}
}

// typed reads a cell as its Table Schema type, or leaves it text when it does not read so.
func typed(cell, typ string) any {
	switch typ {
	case "number":
		if f, err := strconv.ParseFloat(cell, 64); err == nil {
			return f
		}
	case "integer":
		if n, err := strconv.ParseInt(cell, 10, 64); err == nil {
			return n
		}
	case "boolean":
		if b, err := strconv.ParseBool(cell); err == nil {
			return b
		}
	}
	return cell
}

func text(v any) string {
	s, _ := v.(string)
	return s
}

// assembler nests a package's tables under their services.
type assembler struct {
	byID  map[string]map[string]row   // table → id → row, for tables rows point at
	under map[string]map[string][]row // table → parent id → rows, for tables that point at a parent
}

// nestedTables are the child tables, each with the column naming its parent.
var nestedTables = map[string][]string{
	"service_at_locations": {"service_id"}, "schedules": {"service_id"}, "service_areas": {"service_id"},
	"languages": {"service_id"}, "funding": {"service_id"}, "cost_options": {"service_id"},
	"contacts": {"service_id"}, "phones": {"service_id", "location_id", "contact_id"},
	"addresses": {"location_id"}, "accessibility": {"location_id"}, "organization_identifiers": {"organization_id"},
	"attributes": {"link_id"},
}

func newAssembler(pkg dataPackage) (*assembler, error) {
	a := &assembler{byID: map[string]map[string]row{}, under: map[string]map[string][]row{}}
	for _, name := range []string{"organizations", "locations", "taxonomy_terms"} {
		rows, err := pkg.table(name)
		if err != nil {
			return nil, err
		}
		a.byID[name] = map[string]row{}
		for _, r := range rows {
			a.byID[name][text(r["id"])] = r
		}
	}
	for name, parents := range nestedTables {
		rows, err := pkg.table(name)
		if err != nil {
			return nil, err
		}
		for _, parent := range parents {
			a.under[name+"."+parent] = map[string][]row{}
			for _, r := range rows {
				if id := text(r[parent]); id != "" {
					a.under[name+"."+parent][id] = append(a.under[name+"."+parent][id], r)
				}
			}
		}
	}
	return a, nil
}

// children are the rows of table whose parent column holds id.
func (a *assembler) children(table, parent, id string) []row { return a.under[table+"."+parent][id] }

// nest sets key of r to v unless v is empty.
func nest[T any](r row, key string, v []T) {
	if len(v) > 0 {
		r[key] = v
	}
}

func clone(r row) row {
	out := make(row, len(r)+8)
	for k, v := range r {
		out[k] = v
	}
	return out
}

func (a *assembler) service(s row) row {
	s, id := clone(s), text(s["id"])
	if org, ok := a.byID["organizations"][text(s["organization_id"])]; ok {
		org = clone(org)
		nest(org, "organization_identifiers", a.children("organization_identifiers", "organization_id", text(org["id"])))
		s["organization"] = org
	}
	var sals []row
	for _, sl := range a.children("service_at_locations", "service_id", id) {
		sl = clone(sl)
		if loc, ok := a.byID["locations"][text(sl["location_id"])]; ok {
			sl["location"] = a.location(loc)
		}
		sals = append(sals, sl)
	}
	nest(s, "service_at_locations", sals)
	for _, table := range []string{"schedules", "service_areas", "languages", "funding", "cost_options", "phones"} {
		nest(s, table, a.children(table, "service_id", id))
	}
	var contacts []row
	for _, c := range a.children("contacts", "service_id", id) {
		c = clone(c)
		nest(c, "phones", a.children("phones", "contact_id", text(c["id"])))
		contacts = append(contacts, c)
	}
	nest(s, "contacts", contacts)
	var attrs []row
	for _, at := range a.children("attributes", "link_id", id) {
		at = clone(at)
		if term, ok := a.byID["taxonomy_terms"][text(at["taxonomy_term_id"])]; ok {
			at["taxonomy_term"] = term
		}
		attrs = append(attrs, at)
	}
	nest(s, "attributes", attrs)
	return s
}

func (a *assembler) location(loc row) row {
	loc, id := clone(loc), text(loc["id"])
	nest(loc, "addresses", a.children("addresses", "location_id", id))
	nest(loc, "accessibility", a.children("accessibility", "location_id", id))
	nest(loc, "phones", a.children("phones", "location_id", id))
	return loc
}
