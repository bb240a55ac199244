#!/usr/bin/env python3
"""Forecasting backtest baseline on NHS "Appointments in General Practice" (GPAD) data.

Reads a GPAD CSV (monthly CCG format with Appointment_Month like MAR2019, or daily sub-ICB
format with Appointment_Date like 03JAN2024, days summed to calendar months). One series per
area_code x HCP_TYPE: the sum of COUNT_OF_APPOINTMENTS over all statuses, modes and lead times
per month. Series not covering every month from the file's first to its last month are
skipped (note on stderr). The last --holdout months are the test set.

Methods: statsmodels_ets (ETSModel, lowest AICc over error add/mul x trend none/add/damped x
seasonal none, or add/mul with period 12 when training has >= 24 points), naive (last training
value) and seasonal_naive (y[T-12 + (h-1) % 12], naive when T < 12). Metrics: MASE (scale =
mean |y[t] - y[t-m]| on training, m = 12 if T > 12 else 1, 0 -> 1) and sMAPE.

Usage:
  python3 -m venv /work/venv-statsmodels && /work/venv-statsmodels/bin/pip install statsmodels
  /work/venv-statsmodels/bin/python bench/baselines/statsmodels_forecast_backtest.py \
      --appointments FILE [--holdout 6] [--format csv|table]
"""
import argparse
import csv
import math
import sys
import warnings

MONTHS = {m: i + 1 for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"])}
FORMATS = [  # (area column, date column, date parser)
    ("CCG_CODE", "Appointment_Month", lambda s: parse_month(s, "")),
    ("SUB_ICB_LOCATION_CODE", "Appointment_Date", lambda s: parse_month(s[2:], s[:2])),
]
METHODS = ["statsmodels_ets", "naive", "seasonal_naive"]


def parse_month(s, day):
    """'MAR2019' -> (2019, 3); with day '03' also checks it is a valid day. None if bad."""
    if len(s) != 7 or s[:3].upper() not in MONTHS or not s[3:].isdigit():
        return None
    if day and not (day.isdigit() and 1 <= int(day) <= 31):
        return None
    return int(s[3:]), MONTHS[s[:3].upper()]


def fail(path, line, column, msg):
    sys.exit(f"error: {path}: row {line}: column {column}: {msg}")


def read_series(path):
    """Returns (months, {(area, hcp): {month: total}}), months = full calendar range."""
    totals = {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader, [])]
        fmt = next((x for x in FORMATS if x[0] in header and x[1] in header), None)
        if fmt is None:
            fail(path, 1, "-", "unrecognised header (need CCG_CODE/Appointment_Month or "
                 "SUB_ICB_LOCATION_CODE/Appointment_Date)")
        for col in ("HCP_TYPE", "COUNT_OF_APPOINTMENTS"):
            if col not in header:
                fail(path, 1, col, "missing column")
        ia, idate = header.index(fmt[0]), header.index(fmt[1])
        ih, ic = header.index("HCP_TYPE"), header.index("COUNT_OF_APPOINTMENTS")
        for row in reader:
            line = reader.line_num
            if not row or row == [""]:
                continue
            if len(row) != len(header):
                fail(path, line, "-", f"expected {len(header)} fields, found {len(row)}")
            area, hcp, date = row[ia].strip(), row[ih].strip(), row[idate].strip()
            if not area:
                fail(path, line, fmt[0], "empty area code")
            if not hcp:
                fail(path, line, "HCP_TYPE", "empty value")
            month = fmt[2](date)
            if month is None:
                fail(path, line, fmt[1], f"bad date {date!r}")
            count = row[ic].strip()
            if not count.isdigit():
                fail(path, line, "COUNT_OF_APPOINTMENTS", f"bad count {count!r}")
            series = totals.setdefault((area, hcp), {})
            series[month] = series.get(month, 0) + int(count)
    present = {m for s in totals.values() for m in s}
    if not present:
        sys.exit(f"error: {path}: no data rows")
    (y, m), last, months = min(present), max(present), []
    while (y, m) <= last:
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months, totals


def ets_forecast(train, h):
    """Lowest-AICc ETSModel forecast; None if no configuration fits."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    seasonals = [None, "add", "mul"] if len(train) >= 24 else [None]
    best = None
    for error in ("add", "mul"):
        for trend, damped in ((None, False), ("add", False), ("add", True)):
            for seasonal in seasonals:
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        model = ETSModel(train, error=error, trend=trend, damped_trend=damped,
                                         seasonal=seasonal, seasonal_periods=12 if seasonal else None)
                        res = model.fit(disp=False)
                        aicc = float(res.aicc)
                        fc = [float(v) for v in res.forecast(h)]
                except Exception:
                    continue
                if math.isfinite(aicc) and all(map(math.isfinite, fc)) and (best is None or aicc < best[0]):
                    best = (aicc, fc)
    return None if best is None else best[1]


def naive(train, h):
    return [train[-1]] * h


def seasonal_naive(train, h):
    T = len(train)
    if T < 12:
        return naive(train, h)
    return [train[T - 12 + (k % 12)] for k in range(h)]


def mase(train, test, fc):
    T = len(train)
    m = 12 if T > 12 else 1
    diffs = [abs(train[t] - train[t - m]) for t in range(m, T)]
    scale = sum(diffs) / len(diffs) if diffs else 0.0
    if scale == 0:
        scale = 1.0
    return sum(abs(f - a) for f, a in zip(fc, test)) / len(test) / scale


def smape(test, fc):
    terms = [0.0 if f == 0 and a == 0 else 200 * abs(f - a) / (abs(f) + abs(a))
             for f, a in zip(fc, test)]
    return sum(terms) / len(terms)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--appointments", required=True, help="GPAD CSV file")
    ap.add_argument("--holdout", type=int, default=6, help="test months at the end (default 6)")
    ap.add_argument("--format", choices=["csv", "table"], default="csv")
    args = ap.parse_args()
    try:
        months, totals = read_series(args.appointments)
    except OSError as e:
        sys.exit(f"error: {args.appointments}: {e.strerror}")
    if not 1 <= args.holdout < len(months):
        sys.exit(f"error: --holdout {args.holdout} must be between 1 and {len(months) - 1} "
                 f"(the file has {len(months)} months)")
    rows, per_method = [], {m: [] for m in METHODS}
    for key in sorted(totals):
        s = totals[key]
        missing = [f"{y}-{m:02d}" for y, m in months if (y, m) not in s]
        if missing:
            print(f"note: skipping {key[0]}/{key[1]}: missing months {', '.join(missing)}", file=sys.stderr)
            continue
        values = [float(s[m]) for m in months]
        train, test = values[:-args.holdout], values[-args.holdout:]
        h = len(test)
        fc_ets = ets_forecast(train, h)
        if fc_ets is None:
            print(f"note: {key[0]}/{key[1]}: no ETS configuration fitted, using naive", file=sys.stderr)
            fc_ets = naive(train, h)
        for method, fc in zip(METHODS, (fc_ets, naive(train, h), seasonal_naive(train, h))):
            score = (mase(train, test, fc), smape(test, fc))
            per_method[method].append(score)
            rows.append((key[0], key[1], method) + score)
    if not rows:
        sys.exit("error: no series covers every month of the file")
    for method in METHODS:
        scores = per_method[method]
        rows.append(("mean", "", method, sum(s[0] for s in scores) / len(scores),
                     sum(s[1] for s in scores) / len(scores)))
    header = ["area_code", "hcp_type", "method", "mase", "smape"]
    cells = [[a, b, c, f"{x:.4f}", f"{y:.4f}"] for a, b, c, x, y in rows]
    if args.format == "csv":
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(header)
        out.writerows(cells)
    else:
        widths = [max(len(r[i]) for r in [header] + cells) for i in range(5)]
        for r in [header, ["-" * w for w in widths]] + cells:
            print("  ".join(v.ljust(w) if i < 3 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))))


if __name__ == "__main__":
    main()
