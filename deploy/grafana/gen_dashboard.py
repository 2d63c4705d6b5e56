#!/usr/bin/env python3
"""Generate dashboards/altrepo-overview.json (run from deploy/grafana/).

The dashboard is kept as generated JSON so panels stay uniform; edit this
script and re-run it rather than editing the JSON by hand:

    python3 gen_dashboard.py
"""
import json

DS = {"type": "prometheus", "uid": "${datasource}"}
RI = "$__rate_interval"
SEL = 'service=~"$service"'
SEL_ROUTE = 'service=~"$service", route=~"$route"'
SEL_QUERY = 'service=~"$service", query=~"$query"'
# Go/process collectors carry no "service" label: select the scrape job
# (compose: altrepo-<service>; Kubernetes: relabel job the same way).
SEL_JOB = 'job=~"altrepo-$service"'

panels = []
_id = [0]
_y = [0]


def nid():
    _id[0] += 1
    return _id[0]


def row(title):
    panels.append({"type": "row", "id": nid(), "title": title, "collapsed": False,
                   "gridPos": {"h": 1, "w": 24, "x": 0, "y": _y[0]}, "panels": []})
    _y[0] += 1


def target(expr, legend, ref):
    return {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": ref,
            "range": True, "editorMode": "code"}


def ts(title, exprs, unit, x, w=12, h=8, desc="", stack=False, max_=None):
    fc = {"defaults": {"unit": unit, "custom": {"drawStyle": "line", "lineWidth": 1,
                                                "fillOpacity": 10, "showPoints": "never",
                                                "spanNulls": False,
                                                "stacking": {"mode": "normal" if stack else "none", "group": "A"}},
                       "min": 0},
          "overrides": []}
    if max_ is not None:
        fc["defaults"]["max"] = max_
    p = {"type": "timeseries", "id": nid(), "title": title, "description": desc,
         "datasource": DS, "gridPos": {"h": h, "w": w, "x": x, "y": _y[0]},
         "fieldConfig": fc,
         "options": {"legend": {"displayMode": "table", "placement": "right",
                                "calcs": ["mean", "max", "lastNotNull"], "showLegend": True},
                     "tooltip": {"mode": "multi", "sort": "desc"}},
         "targets": [target(e, l, chr(ord("A") + i)) for i, (e, l) in enumerate(exprs)]}
    panels.append(p)
    return p


def stat(title, expr, unit, x, w=6, h=4, desc="", thresholds=None, decimals=None):
    steps = thresholds or [{"color": "green", "value": None}]
    p = {"type": "stat", "id": nid(), "title": title, "description": desc, "datasource": DS,
         "gridPos": {"h": h, "w": w, "x": x, "y": _y[0]},
         "fieldConfig": {"defaults": {"unit": unit, "thresholds": {"mode": "absolute", "steps": steps}},
                         "overrides": []},
         "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
                     "colorMode": "value", "graphMode": "area", "textMode": "auto", "justifyMode": "auto"},
         "targets": [target(expr, "", "A")]}
    if decimals is not None:
        p["fieldConfig"]["defaults"]["decimals"] = decimals
    panels.append(p)


def nextrow(h):
    _y[0] += h


# ---------------------------------------------------------------- overview
row("Overview")
stat("Requests / s", f'sum(rate(altrepo_http_requests_total{{{SEL}}}[{RI}]))', "reqps", 0)
stat("5xx ratio", f'sum(rate(altrepo_http_requests_total{{{SEL}, code=~"5.."}}[{RI}])) / sum(rate(altrepo_http_requests_total{{{SEL}}}[{RI}]))',
     "percentunit", 6, decimals=2,
     thresholds=[{"color": "green", "value": None}, {"color": "orange", "value": 0.01}, {"color": "red", "value": 0.05}])
stat("p95 latency (all routes)", f'histogram_quantile(0.95, sum by (le) (rate(altrepo_http_request_duration_seconds_bucket{{{SEL}}}[{RI}])))',
     "s", 12, thresholds=[{"color": "green", "value": None}, {"color": "orange", "value": 0.5}, {"color": "red", "value": 1}])
stat("Targets up", f'sum(up{{{SEL_JOB}}}) / count(up{{{SEL_JOB}}})', "percentunit", 18,
     desc="Share of altrepo scrape targets that answered the last scrape.",
     thresholds=[{"color": "red", "value": None}, {"color": "orange", "value": 0.5}, {"color": "green", "value": 1}])
nextrow(4)

# ---------------------------------------------------------------- HTTP per service
row("HTTP per service")
ts("Request rate per service", [(f'sum by (service) (rate(altrepo_http_requests_total{{{SEL}}}[{RI}]))', "{{service}}")], "reqps", 0)
ts("Error ratio per service (5xx, 4xx)", [
    (f'sum by (service) (rate(altrepo_http_requests_total{{{SEL}, code=~"5.."}}[{RI}])) / sum by (service) (rate(altrepo_http_requests_total{{{SEL}}}[{RI}]))', "{{service}} 5xx"),
    (f'sum by (service) (rate(altrepo_http_requests_total{{{SEL}, code=~"4.."}}[{RI}])) / sum by (service) (rate(altrepo_http_requests_total{{{SEL}}}[{RI}]))', "{{service}} 4xx"),
], "percentunit", 12, desc="Alert AltrepoHigh5xxRatio fires above 5% (5xx) for 5 minutes.")
nextrow(8)
ts("Latency percentiles per service", [
    (f'histogram_quantile(0.50, sum by (service, le) (rate(altrepo_http_request_duration_seconds_bucket{{{SEL}}}[{RI}])))', "{{service}} p50"),
    (f'histogram_quantile(0.95, sum by (service, le) (rate(altrepo_http_request_duration_seconds_bucket{{{SEL}}}[{RI}])))', "{{service}} p95"),
    (f'histogram_quantile(0.99, sum by (service, le) (rate(altrepo_http_request_duration_seconds_bucket{{{SEL}}}[{RI}])))', "{{service}} p99"),
], "s", 0)
ts("Responses by status code", [(f'sum by (code) (rate(altrepo_http_requests_total{{{SEL}}}[{RI}]))', "{{code}}")], "reqps", 12, stack=True)
nextrow(8)

# ---------------------------------------------------------------- HTTP per route
row("HTTP per route")
ts("Request rate per route", [(f'sum by (service, route) (rate(altrepo_http_requests_total{{{SEL_ROUTE}}}[{RI}]))', "{{service}} {{route}}")], "reqps", 0, w=24, h=9)
nextrow(9)
ts("Error ratio per route (5xx)", [
    (f'sum by (service, route) (rate(altrepo_http_requests_total{{{SEL_ROUTE}, code=~"5.."}}[{RI}])) / sum by (service, route) (rate(altrepo_http_requests_total{{{SEL_ROUTE}}}[{RI}]))', "{{service}} {{route}}"),
], "percentunit", 0, w=24, h=9)
nextrow(9)
ts("p95 latency per route", [
    (f'histogram_quantile(0.95, sum by (service, route, le) (rate(altrepo_http_request_duration_seconds_bucket{{{SEL_ROUTE}}}[{RI}])))', "{{service}} {{route}}"),
], "s", 0, desc="Alert AltrepoRouteLatencyP95High fires above 1 s for 10 minutes.")
ts("p50 / p99 latency per route", [
    (f'histogram_quantile(0.50, sum by (service, route, le) (rate(altrepo_http_request_duration_seconds_bucket{{{SEL_ROUTE}}}[{RI}])))', "{{service}} {{route}} p50"),
    (f'histogram_quantile(0.99, sum by (service, route, le) (rate(altrepo_http_request_duration_seconds_bucket{{{SEL_ROUTE}}}[{RI}])))', "{{service}} {{route}} p99"),
], "s", 12)
nextrow(8)

# ---------------------------------------------------------------- ClickHouse
row("ClickHouse queries")
ts("Query p95 per named query", [
    (f'histogram_quantile(0.95, sum by (service, query, le) (rate(altrepo_clickhouse_query_duration_seconds_bucket{{{SEL_QUERY}}}[{RI}])))', "{{service}} {{query}}"),
], "s", 0, desc="Alert AltrepoClickHouseQueryP95High fires above 2 s for 10 minutes.")
ts("Query p50 / p99 per named query", [
    (f'histogram_quantile(0.50, sum by (service, query, le) (rate(altrepo_clickhouse_query_duration_seconds_bucket{{{SEL_QUERY}}}[{RI}])))', "{{service}} {{query}} p50"),
    (f'histogram_quantile(0.99, sum by (service, query, le) (rate(altrepo_clickhouse_query_duration_seconds_bucket{{{SEL_QUERY}}}[{RI}])))', "{{service}} {{query}} p99"),
], "s", 12)
nextrow(8)
ts("Query rate by query and status", [
    (f'sum by (service, query, status) (rate(altrepo_clickhouse_query_duration_seconds_count{{{SEL_QUERY}}}[{RI}]))', "{{service}} {{query}} {{status}}"),
], "ops", 0)
ts("Query time share per named query", [
    (f'sum by (service, query) (rate(altrepo_clickhouse_query_duration_seconds_sum{{{SEL_QUERY}}}[{RI}]))', "{{service}} {{query}}"),
], "s", 12, stack=True, desc="Seconds of ClickHouse time spent per second, by query: where the database time goes.")
nextrow(8)

# ---------------------------------------------------------------- Go runtime
row("Go runtime per service")
ts("Heap in use", [(f'sum by (job, instance) (go_memstats_heap_inuse_bytes{{{SEL_JOB}}})', "{{job}} {{instance}}")], "bytes", 0, w=8)
ts("Resident memory", [(f'sum by (job, instance) (process_resident_memory_bytes{{{SEL_JOB}}})', "{{job}} {{instance}}")], "bytes", 8, w=8)
ts("Goroutines", [(f'sum by (job, instance) (go_goroutines{{{SEL_JOB}}})', "{{job}} {{instance}}")], "short", 16, w=8)
nextrow(8)
ts("CPU", [(f'sum by (job, instance) (rate(process_cpu_seconds_total{{{SEL_JOB}}}[{RI}]))', "{{job}} {{instance}}")], "percentunit", 0, w=8)
ts("GC pauses / s", [(f'sum by (job, instance) (rate(go_gc_duration_seconds_count{{{SEL_JOB}}}[{RI}]))', "{{job}} {{instance}}")], "short", 8, w=8)
ts("Open file descriptors", [(f'sum by (job, instance) (process_open_fds{{{SEL_JOB}}})', "{{job}} {{instance}}")], "short", 16, w=8)
nextrow(8)


def var_query(name, label, query, regex="", include_all=True):
    return {"name": name, "label": label, "type": "query", "datasource": DS,
            "definition": query, "query": {"query": query, "refId": f"{name}-query", "qryType": 1},
            "refresh": 2, "sort": 1, "multi": True, "includeAll": include_all, "allValue": ".*",
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
            "regex": regex, "hide": 0, "options": []}


dashboard = {
    "uid": "altrepo-overview",
    "title": "altrepo overview",
    "description": "Request rate, error ratio and latency per service and route; ClickHouse query latency per named query; Go runtime per service.",
    "tags": ["altrepo"],
    "timezone": "browser",
    "editable": True,
    "graphTooltip": 1,
    "schemaVersion": 39,
    "version": 1,
    "refresh": "30s",
    "time": {"from": "now-1h", "to": "now"},
    "timepicker": {},
    "fiscalYearStartMonth": 0,
    "liveNow": False,
    "links": [],
    "annotations": {"list": [{
        "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True,
        "hide": True, "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts", "type": "dashboard"}]},
    "templating": {"list": [
        {"name": "datasource", "label": "Datasource", "type": "datasource", "query": "prometheus",
         "current": {"selected": False, "text": "Prometheus", "value": "prometheus"},
         "hide": 0, "includeAll": False, "multi": False, "options": [], "refresh": 1, "regex": ""},
        var_query("service", "Service", "label_values(altrepo_http_requests_total, service)"),
        var_query("route", "Route", 'label_values(altrepo_http_requests_total{service=~"$service"}, route)'),
        var_query("query", "ClickHouse query", 'label_values(altrepo_clickhouse_query_duration_seconds_count{service=~"$service"}, query)'),
    ]},
    "panels": panels,
}

with open("dashboards/altrepo-overview.json", "w") as f:
    json.dump(dashboard, f, indent=2)
    f.write("\n")
print(f"wrote dashboards/altrepo-overview.json: {len(panels)} panels")
