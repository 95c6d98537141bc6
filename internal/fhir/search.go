package fhir

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Query is a search as asked: its parameters, and the base URL of this FHIR server, for the
// links in the result.
type Query struct {
	Params url.Values
	Base   string // such as https://linkwell.example/fhir
}

const (
	defaultCount = 50
	maxCount     = 200
)

// params reads a search's parameters, refusing any it does not support by name: a search
// that silently ignored a filter would return more than was asked for.
type params struct {
	resource string
	values   url.Values
	count    int
	after    string
}

func readParams(resource string, q Query, allowed ...string) (params, error) {
	p := params{resource: resource, values: q.Params, count: defaultCount}
	for name, vs := range q.Params {
		switch {
		case name == "_format":
			if v := vs[0]; v != "json" && !strings.Contains(v, "json") {
				return params{}, badRequest("not-supported", "", "This server answers in JSON only (_format=json)")
			}
		case name == "_count":
			n, err := strconv.Atoi(vs[0])
			if err != nil || n < 1 || n > maxCount {
				return params{}, badRequest("value", "", "_count must be a number from 1 to %d", maxCount)
			}
			p.count = n
		case name == "_after":
			p.after = vs[0]
		case !slices.Contains(allowed, name):
			return params{}, badRequest("not-supported", "", "%s searches do not support the parameter %q; they support %s",
				resource, name, strings.Join(allowed, ", "))
		case len(vs) > 1:
			return params{}, badRequest("not-supported", "", "Give %s once; separate several values with commas", name)
		}
	}
	return p, nil
}

func (p params) get(name string) string { return p.values.Get(name) }

// lastUpdated reads _lastUpdated, which polling uses: gt or ge a time.
func (p params) lastUpdated() (op string, t time.Time, ok bool, err error) {
	v := p.get("_lastUpdated")
	if v == "" {
		return "", time.Time{}, false, nil
	}
	if len(v) < 3 || (v[:2] != "gt" && v[:2] != "ge") {
		return "", time.Time{}, false, badRequest("not-supported", "", "_lastUpdated takes gt or ge and a time, like gt2026-03-02T09:30:00Z")
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v[2:]); err == nil {
			return map[string]string{"gt": ">", "ge": ">="}[v[:2]], t.UTC(), true, nil
		}
	}
	return "", time.Time{}, false, badRequest("value", "", "_lastUpdated must be a FHIR instant, like gt2026-03-02T09:30:00Z")
}

// searchset builds a page of results with its links: self, and next when more remain. asOf
// is when the search began, its meta.lastUpdated: a client polling with _lastUpdated=gt
// that time next misses nothing that changed while this search ran.
func searchset(q Query, p params, entries []BundleEntry, next string, asOf time.Time) Bundle {
	b := Bundle{ResourceType: "Bundle", ID: newUUID(), Meta: &Meta{LastUpdated: instant(asOf)}, Type: "searchset",
		Link: []BundleLink{{Relation: "self", URL: pageURL(q, p.resource, p.after)}}, Entry: entries}
	if next != "" {
		b.Link = append(b.Link, BundleLink{Relation: "next", URL: pageURL(q, p.resource, next)})
	}
	return b
}

func pageURL(q Query, resource, after string) string {
	v := url.Values{}
	for name, vs := range q.Params {
		if name != "_after" {
			v[name] = vs
		}
	}
	if after != "" {
		v.Set("_after", after)
	}
	u := q.Base + "/" + resource
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	return u
}

func entry(q Query, resourceType, id, mode string, resource any) (BundleEntry, error) {
	raw, err := marshal(resource)
	if err != nil {
		return BundleEntry{}, err
	}
	return BundleEntry{FullURL: q.Base + "/" + resourceType + "/" + id, Resource: raw, Search: &EntrySearch{Mode: mode}}, nil
}
