package fhir

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
)

// patchOp is one JSON Patch operation (RFC 6902).
type patchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value,omitempty"`
}

// applyPatch applies add, remove, replace and test operations to a JSON document, returning
// a problem that names the failing operation by its index.
func applyPatch(doc any, ops []patchOp) (any, error) {
	for i, op := range ops {
		where := "operation " + strconv.Itoa(i) + " (" + op.Op + " " + op.Path + ")"
		tokens, err := pointer(op.Path)
		if err != nil || len(tokens) == 0 {
			return nil, badRequest("invalid", "", "JSON Patch %s: the path is not a JSON Pointer to an element", where)
		}
		var value any
		if op.Op != "remove" {
			if len(op.Value) == 0 || json.Unmarshal(op.Value, &value) != nil {
				return nil, badRequest("invalid", "", "JSON Patch %s: needs a value", where)
			}
		}
		switch op.Op {
		case "add", "replace", "remove":
			doc, err = patchAt(doc, tokens, op.Op, value)
		case "test":
			var got any
			if got, err = lookup(doc, tokens); err == nil && !reflect.DeepEqual(got, value) {
				return nil, conflict("conflict", "", "JSON Patch %s: the test failed, the Task has changed", where)
			}
		default:
			return nil, badRequest("not-supported", "", "JSON Patch %s: only add, remove, replace and test are supported", where)
		}
		if err != nil {
			return nil, badRequest("invalid", "", "JSON Patch %s: %v", where, err)
		}
	}
	return doc, nil
}

// pointer splits a JSON Pointer into its unescaped reference tokens.
func pointer(p string) ([]string, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, errPatch("a JSON Pointer starts with /")
	}
	parts := strings.Split(p[1:], "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

type errPatch string

func (e errPatch) Error() string { return string(e) }

func lookup(doc any, tokens []string) (any, error) {
	for _, t := range tokens {
		switch d := doc.(type) {
		case map[string]any:
			v, ok := d[t]
			if !ok {
				return nil, errPatch("no element " + t)
			}
			doc = v
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(d) {
				return nil, errPatch("no item " + t)
			}
			doc = d[i]
		default:
			return nil, errPatch("no element " + t)
		}
	}
	return doc, nil
}

// patchAt adds, replaces or removes the element the tokens name, returning the new document.
func patchAt(doc any, tokens []string, op string, value any) (any, error) {
	t := tokens[0]
	if len(tokens) > 1 {
		child, err := lookup(doc, tokens[:1])
		if err != nil {
			return nil, err
		}
		if child, err = patchAt(child, tokens[1:], op, value); err != nil {
			return nil, err
		}
		return set(doc, t, child)
	}
	switch d := doc.(type) {
	case map[string]any:
		if _, ok := d[t]; !ok && op != "add" {
			return nil, errPatch("no element " + t + " to " + op)
		}
		if op == "remove" {
			delete(d, t)
		} else {
			d[t] = value
		}
		return d, nil
	case []any:
		if t == "-" && op == "add" {
			return append(d, value), nil
		}
		i, err := strconv.Atoi(t)
		if err != nil || i < 0 || i > len(d) || i == len(d) && op != "add" {
			return nil, errPatch("no item " + t)
		}
		switch op {
		case "add":
			return append(d[:i], append([]any{value}, d[i:]...)...), nil
		case "remove":
			return append(d[:i], d[i+1:]...), nil
		}
		d[i] = value
		return d, nil
	}
	return nil, errPatch("cannot " + op + " inside a value")
}

func set(doc any, t string, v any) (any, error) {
	switch d := doc.(type) {
	case map[string]any:
		d[t] = v
		return d, nil
	case []any:
		i, err := strconv.Atoi(t)
		if err != nil || i < 0 || i >= len(d) {
			return nil, errPatch("no item " + t)
		}
		d[i] = v
		return d, nil
	}
	return nil, errPatch("no element " + t)
}
