#!/usr/bin/env python3
"""OR-Tools CP-SAT on the shift-scheduling benchmark, as a side-by-side baseline for
`gpteam bench shift-scheduling`. Prints the same CSV:
instance,objective,hard_violations,best_known,gap_percent,seconds_to_best

The model is written from FORMAT.md (hard rules H1-H9, the exact objective, runs touching
either end of the horizon exempt from the minima). Usage:
  python3 -m venv venv && venv/bin/pip install ortools
  venv/bin/python bench/baselines/cpsat_shift_scheduling.py --dir DIR --time-limit 60 \
      [--best-known best_known.csv] [--workers 2] [--seed 1]
"""
import argparse
import csv
import glob
import os
import re
import sys
import time

from ortools.sat.python import cp_model


def read_instance(path):
    sections, current = {}, None
    with open(path) as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("SECTION_"):
                current = line
                sections[current] = []
                continue
            sections[current].append(line)
    days = int(sections["SECTION_HORIZON"][0])
    shifts, length, forbid = [], {}, {}
    for line in sections["SECTION_SHIFTS"]:
        sid, mins, nxt = line.split(",")
        shifts.append(sid)
        length[sid] = int(mins)
        forbid[sid] = [t for t in nxt.split("|") if t]
    staff = []
    for line in sections["SECTION_STAFF"]:
        f = line.split(",")
        maxs = {s: days for s in shifts}
        for item in f[1].split("|"):
            if item:
                k, v = item.split("=")
                maxs[k] = int(v)
        staff.append(dict(id=f[0], max_shifts=maxs, max_min=int(f[2]), min_min=int(f[3]), max_cons=int(f[4]),
                          min_cons=int(f[5]), min_off=int(f[6]), max_wk=int(f[7]), days_off=set()))
    index = {p["id"]: i for i, p in enumerate(staff)}
    for line in sections.get("SECTION_DAYS_OFF", []):
        f = line.split(",")
        staff[index[f[0]]]["days_off"].update(int(d) for d in f[1:] if d)
    on = [(index[e], int(d), s, int(w)) for e, d, s, w in (l.split(",") for l in sections.get("SECTION_SHIFT_ON_REQUESTS", []))]
    off = [(index[e], int(d), s, int(w)) for e, d, s, w in (l.split(",") for l in sections.get("SECTION_SHIFT_OFF_REQUESTS", []))]
    cover = [(int(d), s, int(r), int(u), int(o)) for d, s, r, u, o in (l.split(",") for l in sections["SECTION_COVER"])]
    return days, shifts, length, forbid, staff, on, off, cover


def solve(path, time_limit, workers, seed):
    days, shifts, length, forbid, staff, on, off, cover = read_instance(path)
    m = cp_model.CpModel()
    x = {(e, d, s): m.NewBoolVar(f"x{e}_{d}_{s}") for e in range(len(staff)) for d in range(days) for s in shifts}
    w = {}
    for e, p in enumerate(staff):
        for d in range(days):
            w[e, d] = m.NewBoolVar(f"w{e}_{d}")
            m.Add(sum(x[e, d, s] for s in shifts) == w[e, d])  # H1
            if d in p["days_off"]:
                m.Add(w[e, d] == 0)  # H9
        for d in range(days - 1):  # H2
            for s in shifts:
                for t in forbid[s]:
                    m.AddBoolOr([x[e, d, s].Not(), x[e, d + 1, t].Not()])
        for s in shifts:  # H3
            m.Add(sum(x[e, d, s] for d in range(days)) <= p["max_shifts"][s])
        total = sum(length[s] * x[e, d, s] for d in range(days) for s in shifts)  # H4
        m.Add(total <= p["max_min"])
        m.Add(total >= p["min_min"])
        k = p["max_cons"]  # H5
        for d in range(days - k):
            m.Add(sum(w[e, d + i] for i in range(k + 1)) <= k)
        for run in range(1, p["min_cons"]):  # H6: no interior work run shorter than the minimum
            for d in range(1, days - run):
                m.AddBoolOr([w[e, d - 1]] + [w[e, d + i].Not() for i in range(run)] + [w[e, d + run]])
        for run in range(1, p["min_off"]):  # H7: no interior off run shorter than the minimum
            for d in range(1, days - run):
                m.AddBoolOr([w[e, d - 1].Not()] + [w[e, d + i] for i in range(run)] + [w[e, d + run].Not()])
        weekends = []  # H8
        for k in range(days // 7):
            wk = m.NewBoolVar(f"wk{e}_{k}")
            m.AddMaxEquality(wk, [w[e, 7 * k + 5], w[e, 7 * k + 6]])
            weekends.append(wk)
        m.Add(sum(weekends) <= p["max_wk"])
    terms = []
    for e, d, s, wt in on:
        terms.append(wt * (1 - x[e, d, s]))
    for e, d, s, wt in off:
        terms.append(wt * x[e, d, s])
    for d, s, req, wu, wo in cover:
        n = sum(x[e, d, s] for e in range(len(staff)))
        under = m.NewIntVar(0, req, f"u{d}_{s}")
        over = m.NewIntVar(0, len(staff), f"o{d}_{s}")
        m.Add(n - req == over - under)
        terms.append(wu * under + wo * over)
    m.Minimize(sum(terms))

    class Timer(cp_model.CpSolverSolutionCallback):
        def __init__(self):
            super().__init__()
            self.start = time.time()
            self.best_at = None

        def on_solution_callback(self):
            self.best_at = time.time() - self.start

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    timer = Timer()
    status = solver.Solve(m, timer)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return int(round(solver.ObjectiveValue())), 0, timer.best_at or 0.0
    return None, None, None


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--time-limit", type=float, required=True)
    ap.add_argument("--best-known")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    best = {}
    if args.best_known:
        with open(args.best_known) as f:
            for row in csv.DictReader(f):
                best[row["instance"]] = int(row["best_known"])
    files = sorted(glob.glob(os.path.join(args.dir, "Instance*.txt")), key=lambda p: int(re.findall(r"\d+", os.path.basename(p))[0]))
    print("instance,objective,hard_violations,best_known,gap_percent,seconds_to_best")
    gaps = []
    for path in files:
        name = os.path.splitext(os.path.basename(path))[0]
        obj, hard, at = solve(path, args.time_limit, args.workers, args.seed)
        b = best.get(name)
        if obj is None:
            print(f"{name},,,{b if b is not None else ''},,", flush=True)
            continue
        gap = 100.0 * (obj - b) / b if b else None
        if gap is not None:
            gaps.append(gap)
        print(f"{name},{obj},{hard},{b if b is not None else ''},{'' if gap is None else f'{gap:.2f}'},{at:.2f}", flush=True)
    if gaps:
        print(f"mean gap {sum(gaps) / len(gaps):.2f} % over {len(gaps)} instances with a solution", file=sys.stderr)


if __name__ == "__main__":
    main()
