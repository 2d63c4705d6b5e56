package api

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// OpenAPI renders the service's OpenAPI 3.1 fragment: the served routes
// only, with their parameters and response schemas.
func (s *Service) OpenAPI() []byte {
	paths := map[string]map[string]any{}
	schemas := map[string]any{}
	tags := map[string]bool{}
	for _, sv := range s.served {
		rt := sv.route
		if rt.Hidden {
			continue
		}
		op := map[string]any{
			"operationId": operationID(rt),
			"parameters":  paramDocs(rt),
			"responses":   responseDocs(rt, schemas),
		}
		if rt.Summary != "" {
			op["summary"] = rt.Summary
		}
		if rt.Tag != "" {
			op["tags"] = []string{rt.Tag}
			tags[rt.Tag] = true
		}
		if rt.BodyModel != nil {
			rt.BodyModel.Components(schemas)
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": rt.BodyModel.Ref()}}}
		}
		if rt.hasForm() {
			props := map[string]any{}
			var req []string
			for _, p := range rt.Params {
				if p.In == "form" {
					props[p.Name] = paramSchema(&p)
					if p.Required {
						req = append(req, p.Name)
					}
				}
			}
			schema := map[string]any{"type": "object", "properties": props}
			if len(req) > 0 {
				schema["required"] = req
			}
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/x-www-form-urlencoded": map[string]any{"schema": schema}}}
		}
		if rt.Auth != nil {
			op["security"] = []any{map[string]any{rt.Auth.Scheme: []string{}}}
		}
		if paths[rt.Path] == nil {
			paths[rt.Path] = map[string]any{}
		}
		paths[rt.Path][strings.ToLower(rt.Method)] = op
	}
	var tagList []any
	names := make([]string, 0, len(tags))
	for t := range tags {
		names = append(names, t)
	}
	sort.Strings(names)
	for _, t := range names {
		tagList = append(tagList, map[string]any{"name": t})
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": s.Title, "version": s.Version, "x-service": s.Name},
		"paths":   paths,
		"tags":    tagList,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"Bearer":    map[string]any{"type": "apiKey", "in": "header", "name": "Authorization"},
				"BasicAuth": map[string]any{"type": "http", "scheme": "basic"},
			},
		},
	}
	b, _ := json.MarshalIndent(doc, "", "  ")
	return append(b, '\n')
}

func operationID(rt *Route) string {
	r := strings.NewReplacer("/", "_", "{", "", "}", "", "-", "_")
	return strings.ToLower(rt.Method) + r.Replace(rt.Path)
}

func paramSchema(p *Param) map[string]any {
	s := map[string]any{}
	switch p.Type {
	case "integer":
		s["type"] = "integer"
	case "boolean":
		s["type"] = "boolean"
	default:
		s["type"] = "string"
	}
	if p.List {
		s = map[string]any{"type": "array", "items": s}
	}
	if len(p.Choices) > 0 {
		s["enum"] = p.Choices
	}
	if p.Default != nil {
		s["default"] = p.Default
	}
	if p.Validator != "" && p.Validator != "inputs.boolean" {
		s["x-validator"] = p.Validator
	}
	return s
}

func paramDocs(rt *Route) []any {
	out := []any{}
	for i := range rt.Params {
		p := &rt.Params[i]
		if p.In != "query" && p.In != "path" {
			continue
		}
		d := map[string]any{"name": p.Name, "in": p.In, "required": p.Required || p.In == "path", "schema": paramSchema(p)}
		if p.Help != "" {
			d["description"] = p.Help
		}
		if p.List {
			d["style"] = "form"
			d["explode"] = false
		}
		out = append(out, d)
	}
	return out
}

var codeText = map[int]string{200: "Success", 201: "Created", 202: "Accepted", 204: "No content", 400: "Request parameters validation error",
	401: "Unauthorized", 403: "Forbidden", 404: "Data not found in database", 409: "Conflict", 500: "Internal error"}

func responseDocs(rt *Route, schemas map[string]any) map[string]any {
	out := map[string]any{}
	codes := rt.Codes
	if len(codes) == 0 {
		codes = []int{rt.okCode()}
	}
	for _, c := range codes {
		d := map[string]any{"description": codeText[c]}
		if d["description"] == "" {
			d["description"] = strconv.Itoa(c)
		}
		if c == rt.okCode() {
			ct := rt.Produces
			if ct == "" {
				ct = "application/json"
			}
			var schema any = map[string]any{}
			if rt.Model != nil {
				rt.Model.Components(schemas)
				schema = rt.Model.Ref()
				if rt.AsList {
					schema = map[string]any{"type": "array", "items": rt.Model.Ref()}
				}
			}
			d["content"] = map[string]any{ct: map[string]any{"schema": schema}}
		}
		out[strconv.Itoa(c)] = d
	}
	return out
}
