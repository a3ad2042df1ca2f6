#!/usr/bin/env python3
"""Draws the scale charts of docs/benchmarks.md from the measured CSV files beside this script (issue 15, goal 7).

    python3 docs/benchmarks/charts.py

Reads scale-sqlite.csv and scale-postgres.csv (written by the benchmark console's --storage-scale check) and
handler-scale.csv (--handler-scale), and replaces what lies between the markers
<!-- scale:begin --> and <!-- scale:end --> in docs/benchmarks.md with a table and a Mermaid xychart per measure, which
GitHub renders in place. Mermaid charts have no legend: SQLite is drawn as bars, PostgreSQL as a line, and each title
says so. Standard library only, so that anyone can run it again after a new measurement.
"""

import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DOC = os.path.join(HERE, "..", "benchmarks.md")
BEGIN, END = "<!-- scale:begin -->", "<!-- scale:end -->"

# (column, chart title, unit, what a reader should see)
MEASURES = [
    ("rewrap_envelopes_per_s", "Key rotation, envelopes per second", "envelopes/s",
     "flat: the time of a rotation grows linearly with the companies (three envelopes per company: client secret, access token, destination seal)"),
    ("rewrap_heap_growth_mib", "Key rotation, managed heap growth", "MiB",
     "flat: memory does not grow with the companies"),
    ("cold_start_1p_per_s", "Cold start, one process, companies per second", "companies/s",
     "one token request per company; the rate is bounded by two write transactions per company"),
    ("cold_start_2p_per_s", "Cold start, two processes, companies per second", "companies/s",
     "both processes together, exactly one token request per company between them"),
    ("status_us", "GetStatusAsync, microseconds", "µs", "flat"),
    ("change_query_us", "Noticing changes: one query per interval, microseconds", "µs",
     "flat: the cost per interval does not depend on the number of companies"),
    ("recheck_all_ms", "Before: reading every company once per interval, milliseconds", "ms",
     "linear: what each interval cost before the change query"),
    ("audit_verify_per_s", "Audit verification, entries per second", "entries/s", "flat: linear time"),
    ("audit_heap_growth_mib", "Audit verification, managed heap growth", "MiB", "flat"),
]


def read(name):
    path = os.path.join(HERE, name)
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def label(companies):
    n = int(companies)
    return f"{n // 1000}k" if n % 1000 == 0 and n < 1_000_000 else f"{n / 1_000_000:g}M"


def number(text):
    value = float(text)
    return f"{value:,.0f}" if value >= 100 else f"{value:g}"


def chart(title, unit, sizes, sqlite, postgres):
    top = max([float(v) for v in sqlite + postgres] + [1.0]) * 1.15
    lines = [
        "```mermaid",
        "xychart-beta",
        f'    title "{title} (SQLite bars, PostgreSQL line)"',
        "    x-axis [" + ", ".join(f'"{label(s)}"' for s in sizes) + "]",
        f'    y-axis "{unit}" 0 --> {top:.0f}' if top >= 10 else f'    y-axis "{unit}" 0 --> {top:.2f}',
    ]
    if sqlite:
        lines.append("    bar [" + ", ".join(sqlite) + "]")
    if postgres:
        lines.append("    line [" + ", ".join(postgres) + "]")
    lines.append("```")
    return "\n".join(lines)


def storage_section():
    sqlite = {r["companies"]: r for r in read("scale-sqlite.csv")}
    postgres = {r["companies"]: r for r in read("scale-postgres.csv")}
    sizes = sorted(set(sqlite) | set(postgres), key=int)
    if not sizes:
        return "No storage measurements yet."

    out = ["| Measure | " + " | ".join(f"SQLite {label(s)}" for s in sizes if s in sqlite) + " | "
           + " | ".join(f"PostgreSQL {label(s)}" for s in sizes if s in postgres) + " |"]
    out.append("|---|" + "---:|" * (sum(s in sqlite for s in sizes) + sum(s in postgres for s in sizes)))
    columns = [c for c, *_ in MEASURES] + ["rewrap_companies_per_s", "seed_per_s", "token_requests_2p", "audit_entries"]
    for column in columns:
        cells = [number(sqlite[s][column]) for s in sizes if s in sqlite] + [number(postgres[s][column]) for s in sizes if s in postgres]
        out.append(f"| `{column}` | " + " | ".join(cells) + " |")
    out.append("")
    for column, title, unit, meaning in MEASURES:
        out.append(f"**{title}** — {meaning}.")
        out.append("")
        out.append(chart(
            title,
            unit,
            sizes,
            [sqlite[s][column] for s in sizes if s in sqlite],
            [postgres[s][column] for s in sizes if s in postgres]))
        out.append("")
    return "\n".join(out).rstrip()


def handler_section():
    rows = read("handler-scale.csv")
    if not rows:
        return ""
    out = ["| Companies | handler: one company, ns | handler: round-robin, ns | ratio | cache lookup: one, ns | round-robin, ns | ratio | bare dictionary (floor): one, ns | round-robin, ns | ratio |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {int(r['companies']):,} | {r['one_ns']} | {r['round_robin_ns']} | {r['ratio']} | {r['lookup_one_ns']} | {r['lookup_round_robin_ns']} | {r['lookup_ratio']} | {r['floor_one_ns']} | {r['floor_round_robin_ns']} | {r['floor_ratio']} |")
    out.append("")
    out.append("```mermaid")
    out.append("xychart-beta")
    out.append('    title "Round-robin over N companies / one company: handler (bars), bare dictionary floor (line)"')
    out.append("    x-axis [" + ", ".join(f'"{label(r["companies"])}"' for r in rows) + "]")
    top = max(float(r[c]) for r in rows for c in ("ratio", "floor_ratio")) * 1.15
    out.append(f'    y-axis "ratio" 0 --> {top:.0f}')
    out.append("    bar [" + ", ".join(r["ratio"] for r in rows) + "]")
    out.append("    line [" + ", ".join(r["floor_ratio"] for r in rows) + "]")
    out.append("```")
    return "\n".join(out)


def main():
    with open(DOC, encoding="utf-8") as f:
        doc = f.read()
    if BEGIN not in doc or END not in doc:
        sys.exit(f"{DOC} has no {BEGIN} ... {END} section")
    body = storage_section()
    handler = handler_section()
    if handler:
        body += "\n\n#### Handler at scale (`--handler-scale`)\n\n" + handler
    generated = f"{BEGIN}\n<!-- Generated by docs/benchmarks/charts.py from the CSV files in docs/benchmarks/: edit those, not this. -->\n\n{body}\n\n{END}"
    doc = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: generated, doc, flags=re.S)
    with open(DOC, "w", encoding="utf-8") as f:
        f.write(doc)
    print(f"charts written to {os.path.relpath(DOC)}")


if __name__ == "__main__":
    main()
