#!/usr/bin/env python3
"""Deterministic simulator of the predictive-maintenance data sets (the "PdM" files).

Why: the pipeline's real 100-machine telemetry has no verified public source, and CI cannot
download anything, so the five CSVs are generated with the schemas and published statistics
of docs/pipeline.md (from the reference spec, section 6): 100 machines, hourly telemetry
from 2015-01-01 06:00 to 2016-01-01 06:00 inclusive, a per-machine 15-day maintenance grid
plus 4 records per machine in 2014, failures that are maintenance rows (except 18 "seed"
failures at 2015-01-02 03:00), signature errors exactly 24 h before each grid failure,
background errors, and component-specific signal shifts in the 48 h before failures.

The same arguments give the same bytes. Counts scale with --machines.

    python data/simulate_pdm.py --machines 100 --seed 42 --out DIR
"""

from __future__ import annotations

import argparse
import os

import numpy as np
import pandas as pd

COMPS = ["comp1", "comp2", "comp3", "comp4"]
ERRORS = ["error1", "error2", "error3", "error4", "error5"]
MODELS = ["model1", "model2", "model3", "model4"]

START = np.datetime64("2015-01-01T06:00:00")
HOURS = 8761  # 2015-01-01 06:00 .. 2016-01-01 06:00 inclusive
SEED_TIME = np.datetime64("2015-01-02T03:00:00")

# Published figures for 100 machines (docs/reference/pipeline.md §6.3); everything scales
# with N/100.
MODEL_COUNTS = [16, 17, 35, 32]
FAILURES_PER_COMP = [192, 259, 131, 179]          # 761 in total
SEED_FAILURES = 18
DOUBLE_FAILURE_EVENTS = 42
FAILURE_EVENTS_ON_GRID = 701                        # 743 rows - 42 doubles
ERRORS_PER_TYPE = [1010, 988, 838, 727, 356]        # 3,919 in total
SIGNATURE = {"comp1": ["error1"], "comp2": ["error2", "error3"],
             "comp3": ["error4"], "comp4": ["error5"]}
MODEL_FAILURE_WEIGHT = {"model1": 189 / 16, "model2": 168 / 17, "model3": 221 / 35, "model4": 183 / 32}
SCHEDULED_COMP_WEIGHT = [517, 510, 580, 536]        # 2015 maint per comp minus failures
P_SLOT_ACTIVE = 0.89                               # grid slots with an event (2,163 of ~2,390)
P_SCHEDULED_DOUBLE = 0.45                     # scheduled events replacing 2 comps

# signal: (mean, sd, min, max) of the published telemetry, and the pre-failure shift
SIGNALS = {
    "volt": (170.78, 15.51, 97.33, 255.12),
    "rotate": (446.61, 52.67, 138.43, 695.02),
    "pressure": (100.86, 11.05, 51.24, 185.95),
    "vibration": (40.39, 5.37, 14.88, 76.79),
}
SHIFT = {"comp1": ("volt", 19.5), "comp2": ("rotate", -77.0),
         "comp3": ("pressure", 25.0), "comp4": ("vibration", 10.5)}
SHIFT_HOURS = 48


def _scaled(values, n_machines):
    return [int(round(v * n_machines / 100)) for v in values]


def _fmt(times: np.ndarray) -> np.ndarray:
    return np.char.replace(np.datetime_as_string(times.astype("datetime64[s]"), unit="s"), "T", " ")


def simulate(n_machines: int = 100, seed: int = 42) -> dict[str, pd.DataFrame]:
    """The five data sets as DataFrames with the original column names and order."""
    rng = np.random.default_rng(seed)
    n = n_machines
    ids = np.arange(1, n + 1)

    # ---- machines: published model mix, age 0..20 (mean ~11.3, sd ~5.9)
    counts = _scaled(MODEL_COUNTS, n)
    counts[2] += n - sum(counts)
    models = np.array(sum(([m] * c for m, c in zip(MODELS, counts)), []))
    rng.shuffle(models)
    age = np.clip(np.rint(rng.normal(12.2, 6.6, n)), 0, 20).astype(int)
    machines = pd.DataFrame({"machineID": ids, "model": models, "age": age})

    # ---- maintenance grid: per machine an offset, then every 15 days at 06:00
    day0 = np.datetime64("2015-01-01T06:00:00")
    last = START + np.timedelta64(HOURS - 1, "h")
    offsets = rng.integers(0, 15, n)
    slots = []  # (machine, time)
    for m in range(n):
        k = np.arange(0, 30)
        t = day0 + (offsets[m] + 15 * k).astype("timedelta64[D]")
        t = t[t <= last]
        active = rng.random(t.size) < P_SLOT_ACTIVE
        slots.extend((m, x) for x in t[active])
    slot_m = np.array([s[0] for s in slots])
    slot_t = np.array([s[1] for s in slots], dtype="datetime64[s]")

    # ---- failures: exact totals (scaled), chosen among grid events by machine risk
    n_seed = max(1, _scaled([SEED_FAILURES], n)[0]) if n >= 3 else 0
    n_double = _scaled([DOUBLE_FAILURE_EVENTS], n)[0]
    n_events = _scaled([FAILURE_EVENTS_ON_GRID], n)[0]
    per_comp = _scaled(FAILURES_PER_COMP, n)
    per_comp[int(np.argmax(per_comp))] += (n_seed + n_events + n_double) - sum(per_comp)
    risk = np.array([MODEL_FAILURE_WEIGHT[x] for x in models]) * rng.gamma(6.0, 1 / 6.0, n) \
        * (0.8 + age / 50.0)
    eligible = np.flatnonzero(slot_t >= day0 + np.timedelta64(1, "D"))
    w = risk[slot_m[eligible]]
    chosen = np.sort(rng.choice(eligible, size=min(n_events, eligible.size), replace=False,
                                p=w / w.sum()))
    labels = list(rng.permutation(np.repeat(np.arange(4), per_comp)))

    def take(exclude=None):
        for i, c in enumerate(labels):
            if c != exclude:
                return labels.pop(i)
        return labels.pop(0)

    seed_machines = np.sort(rng.choice(n, size=n_seed, replace=False)) if n_seed else []
    seed_rows = [(m, SEED_TIME, take()) for m in seed_machines]
    double_idx = set(rng.choice(chosen.size, size=min(n_double, chosen.size), replace=False).tolist())
    event_comps: dict[int, list[int]] = {}
    for j in sorted(double_idx):
        a = take()
        event_comps[int(chosen[j])] = [a, take(exclude=a)]
    for j in range(chosen.size):
        if j not in double_idx:
            event_comps[int(chosen[j])] = [take()]
    fail_rows = seed_rows + [(slot_m[s], slot_t[s], c) for s, cs in event_comps.items() for c in cs]

    # ---- maintenance rows: failures on the grid, scheduled replacements, 4 in 2014
    sched_p = np.array(SCHEDULED_COMP_WEIGHT, float) / sum(SCHEDULED_COMP_WEIGHT)
    maint_rows = []
    for s in range(slot_t.size):
        if s in event_comps:
            comps = event_comps[s]
        else:
            k = 2 if rng.random() < P_SCHEDULED_DOUBLE else 1
            comps = list(rng.choice(4, size=k, replace=False, p=sched_p))
        maint_rows.extend((slot_m[s], slot_t[s], c) for c in comps)
    first_2014 = np.datetime64("2014-06-01T06:00:00")
    for m in range(n):
        k = np.arange(1, 20)
        t = day0 + (offsets[m] - 15 * k).astype("timedelta64[D]")
        t = np.sort(rng.choice(t[t >= first_2014], size=4, replace=False))
        maint_rows.extend((m, x, c) for x, c in zip(t, rng.permutation(4)))

    # ---- errors: signatures 24 h before grid failures, then background to the totals
    err = {}
    for m, t, c in fail_rows:
        if t == SEED_TIME:
            continue  # the precursor would fall before the data starts
        h = int((t - START) // np.timedelta64(1, "h")) - 24
        for e in SIGNATURE[COMPS[c]]:
            err[(m, h, ERRORS.index(e))] = True
    pre_counts = np.bincount([k[2] for k in err], minlength=5)
    target = _scaled(ERRORS_PER_TYPE, n)
    err_rate = rng.gamma(8.0, 1 / 8.0, n)
    for e in range(5):
        need = max(0, target[e] - int(pre_counts[e]))
        while need > 0:
            ms = rng.choice(n, size=need, p=err_rate / err_rate.sum())
            hs = rng.integers(0, HOURS - 1, size=need)  # last error hour: 2016-01-01 05:00
            for m, h in zip(ms, hs):
                if (m, h, e) not in err and need > 0:
                    err[(m, h, e)] = True
                    need -= 1

    # ---- telemetry: independent normal draws, shifted before failures, clipped
    times = START + np.arange(HOURS).astype("timedelta64[h]")
    tel = {}
    shifted = {name: np.zeros((n, HOURS), bool) for name in SIGNALS}
    for m, t, c in fail_rows:
        name, _ = SHIFT[COMPS[c]]
        h = int((t - START) // np.timedelta64(1, "h"))
        shifted[name][m, max(0, h - SHIFT_HOURS):max(0, h)] = True
    for name, (mu, sd, lo, hi) in SIGNALS.items():
        delta = dict(SHIFT.values()).get(name) if name in dict(SHIFT.values()) else 0.0
        frac = shifted[name].mean()
        base_mu = mu - delta * frac
        base_sd = float(np.sqrt(max(sd ** 2 - frac * (1 - frac) * delta ** 2, 1e-6)))
        x = rng.normal(base_mu, base_sd, (n, HOURS)) + delta * shifted[name]
        tel[name] = np.clip(x, lo, hi)

    tstr = _fmt(times)
    telemetry = pd.DataFrame({
        "datetime": np.tile(tstr, n),
        "machineID": np.repeat(ids, HOURS),
        **{name: tel[name].ravel() for name in SIGNALS},
    })

    def frame(rows, col, names):
        df = pd.DataFrame(rows, columns=["m", "t", "c"])
        df = df.sort_values(["m", "t", "c"], kind="stable")
        return pd.DataFrame({"datetime": _fmt(df["t"].to_numpy(dtype="datetime64[s]")),
                             "machineID": df["m"].to_numpy() + 1,
                             col: [names[c] for c in df["c"]]})

    failures = frame(fail_rows, "failure", COMPS)
    maint = frame(maint_rows, "comp", COMPS)
    err_rows = [(m, START + np.timedelta64(int(h), "h"), e) for (m, h, e) in err]
    errors = frame(err_rows, "errorID", ERRORS)
    return {"machines": machines, "errors": errors, "maint": maint,
            "telemetry": telemetry, "failures": failures}


def write(frames: dict[str, pd.DataFrame], out: str) -> None:
    """Write <name>.csv files with a header line and no index, like the original files."""
    os.makedirs(out, exist_ok=True)
    for name, df in frames.items():
        df.to_csv(os.path.join(out, f"{name}.csv"), index=False, lineterminator="\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--machines", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", required=True, help="output folder for the five CSV files")
    args = parser.parse_args(argv)
    frames = simulate(args.machines, args.seed)
    write(frames, args.out)
    for name, df in frames.items():
        print(f"{name}: {len(df)} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
