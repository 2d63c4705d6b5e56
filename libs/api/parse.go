package api

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"altrepo/libs/apierr"
	"altrepo/libs/model"
	"altrepo/libs/validate"
)

// maxBody bounds request bodies (JSON and forms).
const maxBody = 32 << 20

// parseArgs parses the declared query and form parameters as the
// reference's strict request parser does: every failing parameter is
// reported in one 400; then undeclared arguments are refused.
func (rt *Route) parseArgs(r *http.Request) (model.Ordered, error) {
	query := r.URL.Query()
	var form url.Values
	if rt.hasForm() {
		r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
		if err := r.ParseMultipartForm(maxBody); err != nil && err != http.ErrNotMultipart {
			return model.Ordered{}, apierr.Message(http.StatusBadRequest, apierr.MsgBadJSON)
		}
		form = r.PostForm
	}
	args := model.Ordered{Keys: []string{}, Vals: []any{}}
	var errs model.Ordered
	for i := range rt.Params {
		p := &rt.Params[i]
		var raw []string
		switch p.In {
		case "query":
			raw = query[p.Name]
		case "form":
			raw = form[p.Name]
			if raw == nil {
				raw = query[p.Name]
			}
		default:
			continue
		}
		v, err := p.parse(raw)
		if err != nil {
			errs.Set(p.Name, err.Error())
			continue
		}
		args.Set(p.Name, v)
	}
	if len(errs.Keys) > 0 {
		return args, apierr.ParamErrors(errs)
	}
	if rt.Strict {
		var unknown []string
		for _, src := range []url.Values{query, form} {
			for k := range src {
				if !rt.declares(k) && !slices.Contains(unknown, k) {
					unknown = append(unknown, k)
				}
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			return args, apierr.UnknownArguments(strings.Join(unknown, ", "))
		}
	}
	return args, nil
}

func (rt *Route) hasForm() bool {
	for _, p := range rt.Params {
		if p.In == "form" {
			return true
		}
	}
	return false
}

func (rt *Route) declares(name string) bool {
	for _, p := range rt.Params {
		if p.Name == name && p.In != "path" {
			return true
		}
	}
	return false
}

func (p *Param) help() string {
	if p.Help != "" {
		return p.Help
	}
	return strings.ReplaceAll(p.Name, "_", " ")
}

// parse converts the raw values of one parameter.
func (p *Param) parse(raw []string) (any, error) {
	if len(raw) == 0 {
		if p.Required {
			where := "the query string"
			if p.In == "form" {
				where = "the post body"
			}
			return nil, fmt.Errorf("%s Missing required parameter in %s", p.help(), where)
		}
		return p.Default, nil
	}
	if p.List {
		// Repeated occurrences are joined rather than producing the
		// reference's list of lists, which its workers cannot use.
		var out []any
		for _, occ := range raw {
			for _, el := range strings.Split(occ, ",") {
				v, err := p.convert(el)
				if err != nil {
					return nil, fmt.Errorf("%s %v", p.help(), err)
				}
				out = append(out, v)
			}
		}
		return listOf(p.Type, out), nil
	}
	v, err := p.convert(raw[0])
	if err != nil {
		return nil, fmt.Errorf("%s %v", p.help(), err)
	}
	if len(p.Choices) > 0 && !slices.Contains(p.Choices, fmt.Sprint(v)) {
		return nil, fmt.Errorf("%s The value '%s' is not a valid choice for '%s'.", p.help(), raw[0], p.Name)
	}
	return v, nil
}

func listOf(typ string, vals []any) any {
	switch typ {
	case "integer":
		out := make([]int64, len(vals))
		for i, v := range vals {
			out[i], _ = v.(int64)
		}
		return out
	case "boolean":
		out := make([]bool, len(vals))
		for i, v := range vals {
			out[i], _ = v.(bool)
		}
		return out
	}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = fmt.Sprint(v)
	}
	return out
}

func (p *Param) convert(raw string) (any, error) {
	if p.Type == "boolean" {
		return validate.Bool(raw)
	}
	if p.conv != nil {
		return p.conv(raw)
	}
	if p.Type == "integer" {
		n, err := validate.Int(raw)
		if err != nil {
			return nil, fmt.Errorf("invalid literal for int() with base 10: '%s'", raw)
		}
		if (p.Min != nil && n < *p.Min) || (p.Max != nil && n > *p.Max) {
			return nil, fmt.Errorf("value out of range: %d", n)
		}
		return n, nil
	}
	return raw, nil
}

// parseBody reads and checks the JSON body of routes that declare one.
func (rt *Route) parseBody(r *http.Request) (any, error) {
	if rt.BodyModel == nil {
		return nil, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/json" && !strings.HasSuffix(ct, "+json") {
		return nil, apierr.Message(http.StatusUnsupportedMediaType, apierr.MsgJSONContentType)
	}
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return nil, apierr.Message(http.StatusBadRequest, apierr.MsgBadJSON)
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	var body any
	if err := dec.Decode(&body); err != nil {
		return nil, apierr.Message(http.StatusBadRequest, apierr.MsgBadJSON)
	}
	var errs model.Ordered
	checkBody(rt.BodyModel, body, "", &errs)
	if len(errs.Keys) > 0 {
		return nil, apierr.ParamErrors(errs)
	}
	return body, nil
}

// checkBody validates value against m: object shape, required fields,
// primitive types and enums, as the reference's JSON-schema check does.
func checkBody(m *model.Model, value any, path string, errs *model.Ordered) {
	obj, ok := value.(map[string]any)
	if !ok {
		errs.Set(orRoot(path), fmt.Sprintf("%s is not of type 'object'", short(value)))
		return
	}
	for _, f := range m.Fields {
		v, present := obj[f.Name]
		at := join(path, f.Name)
		if !present || v == nil {
			if f.Required && !present {
				errs.Set(orRoot(path), fmt.Sprintf("'%s' is a required property", f.Name))
			}
			continue
		}
		checkValue(f, v, at, errs)
	}
}

func checkValue(f model.Field, v any, at string, errs *model.Ordered) {
	switch f.Kind {
	case model.Nested:
		if f.AsList {
			items, ok := v.([]any)
			if !ok {
				errs.Set(at, fmt.Sprintf("%s is not of type 'array'", short(v)))
				return
			}
			for i, it := range items {
				checkBody(f.Model, it, fmt.Sprintf("%s.%d", at, i), errs)
			}
			return
		}
		checkBody(f.Model, v, at, errs)
	case model.List:
		items, ok := v.([]any)
		if !ok {
			errs.Set(at, fmt.Sprintf("%s is not of type 'array'", short(v)))
			return
		}
		for i, it := range items {
			el := model.Field{Name: f.Name, Kind: f.Elem, Model: f.Model}
			if f.Model != nil {
				checkBody(f.Model, it, fmt.Sprintf("%s.%d", at, i), errs)
				continue
			}
			checkValue(el, it, fmt.Sprintf("%s.%d", at, i), errs)
		}
	case model.String, model.DateTime, model.Date:
		s, ok := v.(string)
		if !ok {
			errs.Set(at, fmt.Sprintf("%s is not of type 'string'", short(v)))
			return
		}
		if len(f.Enum) > 0 && !slices.Contains(f.Enum, s) {
			errs.Set(at, fmt.Sprintf("'%s' is not one of %s", s, quoteList(f.Enum)))
		}
	case model.Integer:
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			errs.Set(at, fmt.Sprintf("%s is not of type 'integer'", short(v)))
		}
	case model.Float:
		if _, ok := v.(json.Number); !ok {
			errs.Set(at, fmt.Sprintf("%s is not of type 'number'", short(v)))
		}
	case model.Boolean:
		if _, ok := v.(bool); !ok {
			errs.Set(at, fmt.Sprintf("%s is not of type 'boolean'", short(v)))
		}
	}
}

func orRoot(p string) string {
	if p == "" {
		return ""
	}
	return p
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		b = append(b[:77], "..."...)
	}
	return string(b)
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "'" + x + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}
