#!/usr/bin/env python3
"""The peer of barometro: what a municipal analyst would write instead of it.

    python barometro_peer.py obiettivi.xlsx -o relazione.xlsx [--json punteggi.json]

It reads a results workbook in Cremona's table layout (one sheet per strategic line, title
rows, the 13-column header on row 7, merged Settore / Obiettivo / Definizione cells, the header
repeated after page breaks, targets and actuals sometimes typed as Italian text), scores it with
the rules of barometro's default rule set (`rules/predefinite/*.rhai`), and writes with
XlsxWriter a report whose figures are live Excel formulas with their values cached
(`write_formula(..., value=...)`) and a 3-traffic-light icon set on the score columns.
`--json` also writes the figures in the shape of `barometro report --json` (a subset: areas,
sub-areas, objectives and indicators with `source`, `score`, `score_reason` and `method`, the
ente's `score`, and the rules' `findings`), so that the benchmark (`benches/scale.rs`) can prove
that both compute the same numbers and raise the same findings.

The rules replicated (file:function of `rules/predefinite`):

- method (`indicatori.rhai:metodo`): "fatto / non fatto" when the Formula says so (the text
  normalised like `normalizza`: lower case, no accents, no spaces around `=`); "minore è meglio"
  when the indicator's name starts with "tempo medio" / "tempi medi" or speaks of payment times
  (`polarita`); otherwise the capped ratio;
- scores: `rapporto` = max(0, min(100, consuntivo / target × 100)); `minore_migliore` = 100 when
  the actual does not exceed the target, else target / actual × 100 (actual / target for
  negative targets), capped at 0..100; `fatto_non_fatto` = 100 when the actual is ≥ 1, else 0.
  No score ("non valutabile", with barometro's reason) for a missing actual, a non-numeric
  actual or target, or a zero target in a ratio;
- objective (`aggregazione.rhai:obiettivo`): weighted mean of the scored indicators
  (Σ peso × punteggio / Σ peso over the indicators that have a score), the plain mean when no
  indicator has a weight; neutralised objectives (a note saying "neutralizzat…") have no score;
- line and sector (`area_superiore`, `area`): plain mean of their objectives' scores (no
  objective weights in this layout), rounded to 2 decimals like Excel's ROUND; ente (`ente`):
  plain mean of the lines, rounded to 2 decimals;
- barometer bands (`barometro.rhai:fasce`): ≥ 90 Raggiunto, ≥ 70 Parzialmente raggiunto,
  ≥ 0 Non raggiunto, no score Non valutabile;
- the checks of `controlli.rhai` that can fire on this layout, with barometro's messages and
  cells: the indicator checks (target missing / zero / not a number, actual missing, "fatto"
  not 0/1, target 1 with an actual above 1, Scostamento ≠ consuntivo − target, negative weight,
  stated % Ragg ≠ the computed score rounded, "minore è meglio" decided by the name), the
  objective's weights not summing to 100, the stated banner (`% Raggiungimento obiettivi per
  area strategica`) of a line ≠ its computed score, and the same long note in two objectives.

Italian values are read as barometro reads them for these columns: `3.800` is 3800,
`1.200,50` is 1200.5, `40%` is 40 (points), `>= 6` and `almeno 2` are 6 and 2, placeholders
(`-`, `n.d.`, …) are empty; weights in points, or as fractions on a sheet whose weights are all
≤ 1 (the `0%`-formatted weights of the last sheet: pandas does not see the cell format, so the
script infers it from the values); the banner as a `0.00%`-formatted fraction or as text such
as `92,30%`. Rounding to 2 decimals is Excel's ROUND (half away from zero on the 15
significant-digit decimal, e.g. 79.225 → 79.23), not Python's round(), because that is what the
rules and the report's formulas do.

Not replicated (the synthetic workbooks never need them; a real analyst's script would grow
them as the office's workbooks did): the columns Metodo, Polarità, Baseline, Scadenza, Soglia
minima, Anno, priorities, objective weights and Neutralizzato, hence the methods
`baseline_target`, `soglie`, `scadenza`, `manuale`, `indicatore_non_valutabile` and
`anno_di_piano`, dates as targets, activities (P.A.I / P.E.I) and their checks, card layouts,
header recognition (the header must be on row 7 with barometro's Cremona headings), and the
reader's own findings (invalid dates or numbers, hidden rows, …).

Like barometro, the bands compare the binary score: 327626.1 / 364029 × 100 is
89.99999999999999, "Parzialmente raggiunto" here and in barometro's cached label, while
LibreOffice (which compares at 15 significant digits, as Excel is documented to compute)
recalculates the label formula as "Raggiunto". The benchmark reports such differences. The check "the same long note
in two objectives" follows barometro's order (for each line, sectors in order of first
appearance, objectives in sheet order).
"""

import argparse
import json
import math
import re
import sys
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from operator import itemgetter

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

HEADER_ROW = 6  # 0-based: Excel row 7
TITLE_ROW = 2  # "LINEA STRATEGICA N. 1 …"
BANNER_LABEL_ROW = 3  # "% Raggiungimento obiettivi per area strategica"
BANNER_ROW = 4  # its value

BANDS = [(90, "Raggiunto"), (70, "Parzialmente raggiunto"), (0, "Non raggiunto")]
NO_SCORE = "Non valutabile"

PLACEHOLDERS = {"-", "--", "---", "=", "/", "n.d.", "nd", "n.a.", "na", "n/a"}
NUMBER_RE = re.compile(
    r"^(?P<op>>=|≥|almeno|>|<=|≤|<)?\s*(?P<num>[-+]?\d{1,3}(?:\.\d{3})+(?:,\d+)?|[-+]?\d+(?:,\d+)?)"
    r"\s*(?P<pct>%)?$",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------


def is_blank(v):
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def value(v):
    """A target / actual / weight cell as the rules see it: a float, a str (text that is not a
    number) or None (empty or a placeholder)."""
    if is_blank(v):
        return None
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    s = str(v).strip()
    if s.lower() in PLACEHOLDERS:
        return None
    m = NUMBER_RE.match(s)
    if m is None:
        return s
    return float(m.group("num").replace(".", "").replace(",", "."))


def is_number(x):
    return isinstance(x, float)


def text(v):
    """A text cell, trimmed; None when empty."""
    if is_blank(v):
        return None
    return str(v).strip()


def normalizza(s):
    """`normalizza` of the rules: lower case, accents removed, spaces collapsed, none around `=`."""
    if s is None:
        return ""
    s = "".join(
        c for c in unicodedata.normalize("NFD", s.lower()) if unicodedata.category(c) != "Mn"
    )
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r"\s*=\s*", "=", s)
    return s.strip()


def excel_round(x, digits):
    """Excel's ROUND: half away from zero on the number's 15-significant-digit decimal."""
    if x is None or x == 0 or not math.isfinite(x):
        return x
    d = Decimal(f"{x:.14e}").quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return float(d)


def num(x):
    """A number in a message, as `controlli.rhai:num` writes it (2 decimals at most, comma)."""
    r = excel_round(x, 2)
    if r == excel_round(r, 0):
        return str(int(excel_round(r, 0)))
    return repr(r).replace(".", ",")


def band(score):
    if score is None:
        return NO_SCORE
    for lower, label in BANDS:
        if score >= lower:
            return label
    return BANDS[-1][1]


def cell_name(sheet, row, col):
    """`Ambiente!D8`, `'Opere pubbliche'!D8` (0-based row and column), as barometro cites cells."""
    plain = (
        sheet
        and all(c.isalnum() or c in "_." for c in sheet)
        and not sheet[0].isdigit()
        and not re.fullmatch(r"[A-Za-z]{1,3}\d+", sheet)
    )
    name = sheet if plain else "'" + sheet.replace("'", "''") + "'"
    return f"{name}!{xl_rowcol_to_cell(row, col)}"


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------


def method_of(name, formula):
    f = normalizza(formula)
    if f and (
        ("fatto" in f and ("1=" in f or "=1" in f))
        or ("1=" in f and "0=" in f)
        or ("=1" in f and "=0" in f)
    ):
        return "fatto_non_fatto"
    n = normalizza(name)
    if (
        n.startswith("tempo medio")
        or n.startswith("tempi medi")
        or "tempestivita dei pagamenti" in n
        or "tempi di pagamento" in n
    ):
        return "minore_migliore"
    return "rapporto"


def score_of(method, target, actual):
    """(score, reason): the score in points, or None and why there is none."""
    c, t = actual, target
    if c is None:
        return None, "consuntivo mancante"
    if method == "fatto_non_fatto":
        if not is_number(c):
            return None, "il consuntivo non è 1 (fatto) o 0 (non fatto)"
        return (100.0 if c >= 1 else 0.0), None
    if not is_number(c):
        return None, "il consuntivo non è un numero"
    if not is_number(t):
        return None, "target mancante o non numerico"
    if method == "minore_migliore":
        if c <= t:
            return 100.0, None
        if t < 0:
            return max(0.0, min(100.0, c / t * 100)), None
        return max(0.0, min(100.0, t / c * 100)), None
    if t == 0:
        return None, "target zero: il rapporto non si può calcolare"
    return max(0.0, min(100.0, c / t * 100)), None


def indicator_findings(r, source):
    """`controlli.rhai:controlla_indicatore` for one indicator row (a dict)."""
    out = []
    m, t, c = r["method"], r["target"], r["actual"]

    def add(severity, column, message):
        out.append({"severity": severity, "source": source(column), "message": message})

    if m in ("rapporto", "minore_migliore"):
        if t is None:
            add("errore", "target", "Target mancante: il raggiungimento non si può calcolare")
        elif is_number(t) and t == 0 and m == "rapporto":
            add("errore", "target", "Target zero: il rapporto consuntivo/target non si può calcolare")
        elif not is_number(t):
            add(
                "avviso",
                "target",
                f"Il target «{r['target_text']}» non è un numero: indicate il valore o un metodo adatto",
            )
    if c is None and t is not None:
        add("avviso", "actual", "Consuntivo mancante")
    if m == "fatto_non_fatto" and is_number(c) and c != 0 and c != 1:
        add(
            "avviso",
            "actual",
            f"Indicatore «1 = fatto 0 = non fatto» con consuntivo {num(c)}: scrivete 1 (fatto) o 0 (non fatto)",
        )
    if m == "rapporto" and is_number(t) and t == 1 and is_number(c) and c > 1:
        add(
            "avviso",
            "actual",
            f"Target 1 e consuntivo {num(c)}: se l'indicatore è «fatto / non fatto» scrivete 1 (fatto) o 0 (non fatto)",
        )
    sc = r["deviation"]
    if is_number(sc) and is_number(c) and is_number(t) and abs(sc - (c - t)) > 0.005:
        add("avviso", "deviation", f"Scostamento {num(sc)} diverso da consuntivo − target = {num(c - t)}")
    if is_number(r["weight"]) and r["weight"] < 0:
        add("errore", "weight", f"Peso negativo ({num(r['weight'])})")
    stated, score = r["stated"], r["score"]
    if is_number(stated) and score is not None and abs(stated - excel_round(score, 0)) > 0.5:
        add("avviso", "stated", f"% raggiungimento scritta {num(stated)}, calcolata dalle regole {num(score)}")
    if m == "minore_migliore":
        add(
            "info",
            "name",
            "Indicatore valutato «minore è meglio» in base al nome (regola polarita in indicatori.rhai): verificate",
        )
    return out


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------

COLUMNS = {
    "Settore": "sector",
    "Obiettivo": "objective",
    "Definizione": "definition",
    "Indicatore": "name",
    "Formula": "formula",
    "Finalità": "purpose",
    "Target atteso": "target_raw",
    "Target Consuntivo": "actual_raw",
    "Scostamento": "deviation_raw",
    "Note": "note",
    "Peso": "weight_raw",
    "% Ragg": "stated_raw",
    "Barometro": "barometer",
}


def read_workbook(path):
    """Every sheet: (sheet, line name, title cell, banner value, banner cell, indicator rows)."""
    sheets = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    out = []
    for sheet, grid in sheets.items():
        header = [str(h).strip() for h in grid.iloc[HEADER_ROW]]
        letters = {COLUMNS[h]: i for i, h in enumerate(header) if h in COLUMNS}
        df = grid.iloc[HEADER_ROW + 1 :].copy()
        df.columns = [COLUMNS.get(h, h) for h in header]
        df["row"] = df.index  # 0-based sheet row (header=None keeps every row)
        # Blank rows at page breaks and the header repeated below them.
        df = df[df["name"].notna() & (df["name"] != "Indicatore")]
        # Merged cells: the value sits in the first row only.
        df[["sector", "objective", "definition"]] = df[["sector", "objective", "definition"]].ffill()

        title = text(grid.iat[TITLE_ROW, 0]) or sheet
        banner = grid.iat[BANNER_ROW, 0] if len(grid) > BANNER_ROW else None
        if isinstance(banner, (int, float)) and not is_blank(banner):
            banner = float(banner) * 100  # a 0.00%-formatted fraction
        else:
            banner = value(banner)
        out.append((sheet, title, banner, df, letters))
    return out


def score_workbook(path):
    ente = {"score": None, "areas": [], "findings": []}
    indicators = []  # every indicator, in sheet order, for the report
    objectives = []  # every objective, in sheet order
    for sheet, title, banner, df, letters in read_workbook(path):
        df = df.copy()
        df["target"] = df["target_raw"].map(value)
        df["actual"] = df["actual_raw"].map(value)
        df["deviation"] = df["deviation_raw"].map(value)
        df["weight"] = df["weight_raw"].map(value)
        df["stated"] = df["stated_raw"].map(value)
        weights = df["weight"].dropna()
        if len(weights) and weights.map(is_number).all() and weights.max() <= 1:
            # The weights of this sheet are fractions shown as percentages (0% format).
            df["weight"] = df["weight"].map(lambda w: w * 100 if is_number(w) else w)
        df["method"] = [method_of(n, f) for n, f in zip(df["name"], df["formula"])]
        scored = [score_of(m, t, c) for m, t, c in zip(df["method"], df["target"], df["actual"])]
        df["score"] = [s for s, _ in scored]
        df["reason"] = [r for _, r in scored]
        # An objective is a run of rows with the same title.
        df["obj"] = (df["objective"] != df["objective"].shift()).cumsum()

        line = {
            "name": title,
            "source": cell_name(sheet, TITLE_ROW, 0),
            "score": None,
            "areas": [],
            "objectives": [],
            "_banner": banner,
        }
        sectors = {}  # name → area, in order of first appearance
        for _, group in groupby(df.to_dict("records"), key=itemgetter("obj")):
            records = list(group)
            first = records[0]
            notes = [text(r["note"]) for r in records if text(r["note"])]
            neutralised = any("neutralizzat" in normalizza(n) for n in notes)
            weighted = [(r["weight"], r["score"]) for r in records if is_number(r["weight"])]
            if neutralised:
                score, reason = None, "obiettivo neutralizzato"
            elif not weighted:
                present = [r["score"] for r in records if r["score"] is not None]
                score = sum(present) / len(present) if present else None
                reason = None if present else "nessun indicatore con un punteggio"
            else:
                num_, den = 0.0, 0.0
                for w, s in weighted:
                    if s is not None:
                        num_ += w * s
                        den += w
                score = num_ / den if den != 0 else None
                reason = None if den != 0 else "nessun indicatore con un punteggio"
            objective = {
                "title": text(first["objective"]),
                "source": cell_name(sheet, int(first["row"]), letters["objective"]),
                "score": score,
                "score_reason": reason,
                "barometer": band(score),
                "neutralised": neutralised,
                "indicators": [],
                "_sheet": sheet,
                "_line": title,
                "_sector": text(first["sector"]),
                "_note": notes[0] if notes else None,
                "_note_source": None,
            }
            if notes:
                note_row = next(int(r["row"]) for r in records if text(r["note"]))
                objective["_note_source"] = cell_name(sheet, note_row, letters["note"])
            findings = []
            for r in records:

                def source(column, r=r):
                    key = {
                        "name": "name",
                        "target": "target_raw",
                        "actual": "actual_raw",
                        "deviation": "deviation_raw",
                        "weight": "weight_raw",
                        "stated": "stated_raw",
                    }[column]
                    return cell_name(sheet, int(r["row"]), letters[key])

                r["target_text"] = text(r["target_raw"])
                findings += indicator_findings(r, source)
                indicator = {
                    "name": text(r["name"]),
                    "source": source("name"),
                    "method": r["method"],
                    "score": r["score"],
                    "score_reason": r["reason"],
                    "barometer": band(r["score"]),
                    "_row": r,
                    "_objective": objective,
                }
                objective["indicators"].append(indicator)
                indicators.append(indicator)
            if not neutralised and weighted:
                total = sum(w for w, _ in weighted)
                if abs(total - 100) > 0.01:
                    message = f"I pesi degli indicatori sommano a {num(total)} invece di 100"
                    reporting = any(r["actual"] is not None for r in records)
                    findings.append(
                        {
                            "severity": "errore" if reporting else "avviso",
                            "source": objective["source"],
                            "message": message if reporting else message + " (piano: da completare)",
                        }
                    )
            ente["findings"] += findings
            objectives.append(objective)
            sector = objective["_sector"]
            if sector not in sectors:
                sectors[sector] = {"name": sector, "source": None, "score": None, "objectives": [], "areas": []}
                line["areas"].append(sectors[sector])
            sectors[sector]["objectives"].append(objective)

        for area in line["areas"]:
            area["score"] = mean_2(o["score"] for o in area["objectives"])
            area["barometer"] = band(area["score"])
        line["score"] = mean_2(o["score"] for a in line["areas"] for o in a["objectives"])
        line["barometer"] = band(line["score"])
        if is_number(banner) and line["score"] is not None and abs(banner - line["score"]) > 0.015:
            ente["findings"].append(
                {
                    "severity": "avviso",
                    "source": line["source"],
                    "message": f"Il raggiungimento scritto ({num(banner)}, {cell_name(sheet, BANNER_LABEL_ROW, 0)}) "
                    f"è diverso da quello calcolato dalle regole: {num(line['score'])}",
                }
            )
        ente["areas"].append(line)

    ente["score"] = mean_2(a["score"] for a in ente["areas"])
    ente["barometer"] = band(ente["score"])

    # The same long note in two objectives (controlla_ente), in barometro's order.
    seen = {}
    for line in ente["areas"]:
        for area in line["areas"]:
            for o in area["objectives"]:
                note = o["_note"]
                if note is None or len(note) < 40 or o["neutralised"]:
                    continue
                if note in seen:
                    ente["findings"].append(
                        {
                            "severity": "avviso",
                            "source": o["_note_source"],
                            "message": f"La stessa nota compare anche in {seen[note]}: "
                            "verificate che non sia stata copiata per errore",
                        }
                    )
                else:
                    seen[note] = o["_note_source"]
    return ente, objectives, indicators


def mean_2(scores):
    present = [s for s in scores if s is not None]
    return excel_round(sum(present) / len(present), 2) if present else None


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------

TWINS = {
    "rapporto": "=MAX(0,MIN(100,{c}/{t}*100))",
    "minore_migliore": "=IF({c}<={t},100,IF({t}<0,MAX(0,MIN(100,{c}/{t}*100)),MAX(0,MIN(100,{t}/{c}*100))))",
    "fatto_non_fatto": "=IF({c}>=1,100,0)",
}


def label_formula(cell):
    return (
        f'=IF(ISNUMBER({cell}),IF({cell}>=90,"{BANDS[0][1]}",IF({cell}>=70,"{BANDS[1][1]}",'
        f'"{BANDS[2][1]}")),"{NO_SCORE}")'
    )


def write_report(path, ente, objectives, indicators):
    wb = xlsxwriter.Workbook(path)
    bold = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
    pct = wb.add_format({"num_format": "0.00"})
    grey = wb.add_format({"bg_color": "#BFBFBF"})
    traffic = {
        "type": "icon_set",
        "icon_style": "3_traffic_lights",
        "icons": [
            {"criteria": ">=", "type": "number", "value": BANDS[0][0]},
            {"criteria": ">=", "type": "number", "value": BANDS[1][0]},
        ],
    }

    # Indicatori: inputs, the score as its rule's formula, the barometer label.
    ws_i = wb.add_worksheet("Indicatori")
    head = ["Linea", "Settore", "Obiettivo", "Indicatore", "Formula", "Metodo", "Target",
            "Consuntivo", "Peso", "% Raggiungimento", "Barometro", "Note", "Cella"]
    ws_i.write_row(0, 0, head, bold)
    ws_i.freeze_panes(1, 0)
    for k, ind in enumerate(indicators, start=1):
        r = ind["_row"]
        o = ind["_objective"]
        ind["_report_row"] = k
        ws_i.write_string(k, 0, o["_line"])
        ws_i.write_string(k, 1, o["_sector"] or "")
        ws_i.write_string(k, 2, o["title"] or "")
        ws_i.write_string(k, 3, ind["name"] or "")
        ws_i.write_string(k, 4, text(r["formula"]) or "")
        ws_i.write_string(k, 5, ind["method"])
        for col, v in ((6, r["target"]), (7, r["actual"]), (8, r["weight"])):
            if is_number(v):
                ws_i.write_number(k, col, v)
            elif v is not None:
                ws_i.write_string(k, col, v)
        score_cell = xl_rowcol_to_cell(k, 9)
        if ind["score"] is None:
            ws_i.write_blank(k, 9, None, grey)
        else:
            twin = TWINS[ind["method"]].format(c=xl_rowcol_to_cell(k, 7), t=xl_rowcol_to_cell(k, 6))
            ws_i.write_formula(k, 9, twin, pct, ind["score"])
        ws_i.write_formula(k, 10, label_formula(score_cell), None, ind["barometer"])
        ws_i.write_string(k, 11, ind["score_reason"] or "")
        ws_i.write_string(k, 12, ind["source"])
    if indicators:
        ws_i.conditional_format(1, 9, len(indicators), 9, traffic)

    # Obiettivi: the weighted mean of the indicators' rows.
    ws_o = wb.add_worksheet("Obiettivi")
    ws_o.write_row(0, 0, ["Linea", "Settore", "Obiettivo", "Indicatori", "% Raggiungimento", "Barometro", "Cella"], bold)
    ws_o.freeze_panes(1, 0)
    for k, o in enumerate(objectives, start=1):
        o["_report_row"] = k
        ws_o.write_string(k, 0, o["_line"])
        ws_o.write_string(k, 1, o["_sector"] or "")
        ws_o.write_string(k, 2, o["title"] or "")
        ws_o.write_number(k, 3, len(o["indicators"]))
        first = o["indicators"][0]["_report_row"] + 1
        last = o["indicators"][-1]["_report_row"] + 1
        w, s = f"Indicatori!I{first}:I{last}", f"Indicatori!J{first}:J{last}"
        if o["neutralised"]:
            ws_o.write_blank(k, 4, None, grey)
        else:
            formula = f'=IFERROR(SUMPRODUCT({w},{s})/SUMIFS({w},{s},"<>"),"")'
            ws_o.write_formula(k, 4, formula, pct, o["score"] if o["score"] is not None else "")
        ws_o.write_formula(k, 5, label_formula(xl_rowcol_to_cell(k, 4)), None, o["barometer"])
        ws_o.write_string(k, 6, o["source"])
    if objectives:
        ws_o.conditional_format(1, 4, len(objectives), 4, traffic)

    # Sintesi: lines (their objectives are consecutive rows), sectors, the ente.
    ws_s = wb.add_worksheet("Sintesi")
    ws_s.write_row(0, 0, ["Linea strategica", "Obiettivi", "% Raggiungimento", "Barometro"], bold)
    row = 1
    first_line = row
    for line in ente["areas"]:
        rows = [o["_report_row"] + 1 for a in line["areas"] for o in a["objectives"]]
        ws_s.write_string(row, 0, line["name"])
        ws_s.write_number(row, 1, len(rows))
        formula = f'=IFERROR(ROUND(AVERAGE(Obiettivi!E{min(rows)}:E{max(rows)}),2),"")'
        ws_s.write_formula(row, 2, formula, pct, cached(line["score"]))
        ws_s.write_formula(row, 3, label_formula(xl_rowcol_to_cell(row, 2)), None, line["barometer"])
        row += 1
    last_line = row - 1
    ws_s.write_string(row, 0, "Ente", bold)
    formula = f'=IFERROR(ROUND(AVERAGE(C{first_line + 1}:C{last_line + 1}),2),"")'
    ws_s.write_formula(row, 2, formula, pct, cached(ente["score"]))
    ws_s.write_formula(row, 3, label_formula(xl_rowcol_to_cell(row, 2)), None, ente["barometer"])
    ws_s.conditional_format(first_line, 2, row, 2, traffic)
    row += 2
    ws_s.write_row(row, 0, ["Linea strategica", "Settore", "% Raggiungimento", "Barometro"], bold)
    row += 1
    first_sector = row
    for line in ente["areas"]:
        for area in line["areas"]:
            ws_s.write_string(row, 0, line["name"])
            ws_s.write_string(row, 1, area["name"] or "")
            a, b = xl_rowcol_to_cell(row, 0), xl_rowcol_to_cell(row, 1)
            formula = f'=IFERROR(ROUND(AVERAGEIFS(Obiettivi!E:E,Obiettivi!A:A,{a},Obiettivi!B:B,{b}),2),"")'
            ws_s.write_formula(row, 2, formula, pct, cached(area["score"]))
            ws_s.write_formula(row, 3, label_formula(xl_rowcol_to_cell(row, 2)), None, area["barometer"])
            row += 1
    if row > first_sector:
        ws_s.conditional_format(first_sector, 2, row - 1, 2, traffic)

    # Anomalie.
    ws_a = wb.add_worksheet("Anomalie")
    ws_a.write_row(0, 0, ["Gravità", "Cella", "Messaggio"], bold)
    order = {"errore": 0, "avviso": 1, "info": 2}
    for k, f in enumerate(sorted(ente["findings"], key=lambda f: order[f["severity"]]), start=1):
        ws_a.write_row(k, 0, [f["severity"], f["source"], f["message"]])
    wb.close()


def cached(score):
    return score if score is not None else ""


# --------------------------------------------------------------------------------------------
# JSON (the subset of `barometro report --json` the benchmark compares)
# --------------------------------------------------------------------------------------------


def public(node):
    if isinstance(node, dict):
        return {k: public(v) for k, v in node.items() if not k.startswith("_")}
    if isinstance(node, list):
        return [public(v) for v in node]
    return node


def write_json(path, ente):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(public(ente), f, ensure_ascii=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    ente, objectives, indicators = score_workbook(args.input)
    write_report(args.output, ente, objectives, indicators)
    if args.json:
        write_json(args.json, ente)
    score = "–" if ente["score"] is None else f"{ente['score']:.2f}".replace(".", ",") + "%"
    print(
        f"Relazione scritta: {args.output} ({len(ente['areas'])} aree, {len(objectives)} obiettivi, "
        f"{len(indicators)} indicatori); raggiungimento dell'ente: {score} — {ente['barometer']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
