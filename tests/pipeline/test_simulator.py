"""The data simulator against the published figures of the 100-machine PdM data."""

import hashlib
import os

import numpy as np
import pandas as pd
import pytest

from conftest import SIMULATOR


def _load():
    import importlib.util
    spec = importlib.util.spec_from_file_location("simulate_pdm", SIMULATOR)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def full():
    return _load().simulate(100, 42)


def test_schemas_and_headers(full):
    assert list(full["machines"].columns) == ["machineID", "model", "age"]
    assert list(full["errors"].columns) == ["datetime", "machineID", "errorID"]
    assert list(full["maint"].columns) == ["datetime", "machineID", "comp"]
    assert list(full["telemetry"].columns) == ["datetime", "machineID", "volt", "rotate", "pressure", "vibration"]
    assert list(full["failures"].columns) == ["datetime", "machineID", "failure"]


def test_telemetry_grid(full):
    t = full["telemetry"]
    assert len(t) == 876_100
    assert t.groupby("machineID").size().eq(8761).all()
    assert t["datetime"].iloc[0] == "2015-01-01 06:00:00" and t["datetime"].iloc[-1] == "2016-01-01 06:00:00"
    assert t["machineID"].is_monotonic_increasing
    assert not t.isna().any().any()


@pytest.mark.parametrize("signal,mean,sd,lo,hi", [
    ("volt", 170.78, 15.51, 97.33, 255.12), ("rotate", 446.61, 52.67, 138.43, 695.02),
    ("pressure", 100.86, 11.05, 51.24, 185.95), ("vibration", 40.39, 5.37, 14.88, 76.79)])
def test_telemetry_moments(full, signal, mean, sd, lo, hi):
    x = full["telemetry"][signal]
    assert x.mean() == pytest.approx(mean, rel=0.005)
    assert x.std() == pytest.approx(sd, rel=0.03)
    assert lo <= x.min() and x.max() <= hi


def test_machines(full):
    m = full["machines"]
    assert len(m) == 100
    assert m["model"].value_counts().to_dict() == {"model3": 35, "model4": 32, "model2": 17, "model1": 16}
    assert m["age"].between(0, 20).all()
    assert m["age"].mean() == pytest.approx(11.33, abs=1.0)
    assert m["age"].std() == pytest.approx(5.86, abs=1.0)


def test_failures(full):
    f = full["failures"]
    assert len(f) == 761
    assert f["failure"].value_counts().to_dict() == {"comp2": 259, "comp1": 192, "comp4": 179, "comp3": 131}
    assert (f["datetime"] == "2015-01-02 03:00:00").sum() == 18
    assert (f["datetime"].str[11:] == "06:00:00").sum() == 743
    assert (f.groupby(["machineID", "datetime"]).size() > 1).sum() == 42
    per_machine = f.groupby("machineID").size()
    assert per_machine.size >= 95 and per_machine.max() <= 25


def test_maintenance(full):
    m = full["maint"]
    assert len(m) == pytest.approx(3286, rel=0.05)
    assert m["datetime"].str[11:].eq("06:00:00").all()
    y2014 = m[m["datetime"] < "2015"]
    assert len(y2014) == 400 and y2014.groupby("machineID").size().eq(4).all()
    assert y2014["datetime"].min() >= "2014-06-01"
    assert m["comp"].value_counts().min() >= 700
    # 2015 events lie on a per-machine 15-day grid
    ev = m[m["datetime"] >= "2015"].drop_duplicates(["machineID", "datetime"]).copy()
    assert len(ev) == pytest.approx(2163, rel=0.05)
    ev["t"] = pd.to_datetime(ev["datetime"])
    gaps = ev.sort_values(["machineID", "t"]).groupby("machineID")["t"].diff().dropna().dt.days
    assert (gaps % 15 == 0).all()
    assert (gaps == 15).mean() > 0.85
    # every non-seed failure is also a maintenance row
    f = full["failures"]
    grid = f[f["datetime"] != "2015-01-02 03:00:00"]
    keys = set(zip(m["datetime"], m["machineID"], m["comp"]))
    assert all(k in keys for k in zip(grid["datetime"], grid["machineID"], grid["failure"]))


def test_errors_and_precursors(full):
    e, f = full["errors"], full["failures"]
    assert len(e) == 3919
    assert e["errorID"].value_counts().to_dict() == {
        "error1": 1010, "error2": 988, "error3": 838, "error4": 727, "error5": 356}
    assert e["datetime"].min() >= "2015-01-01 06:00:00" and e["datetime"].max() <= "2016-01-01 05:00:00"
    assert (e.groupby(["machineID", "datetime"]).size() > 1).sum() == pytest.approx(274, rel=0.2)
    signature = {"comp1": ["error1"], "comp2": ["error2", "error3"], "comp3": ["error4"], "comp4": ["error5"]}
    errs = set(zip(pd.to_datetime(e["datetime"]), e["machineID"], e["errorID"]))
    ft = pd.to_datetime(f["datetime"]) - pd.Timedelta(hours=24)
    preceded = [all((t, mid, x) in errs for x in signature[c]) for t, mid, c in zip(ft, f["machineID"], f["failure"])]
    assert np.mean(preceded) == pytest.approx(0.98, abs=0.01)
    at6 = e[e["datetime"].str[11:] == "06:00:00"]
    assert len(at6) == pytest.approx(1122, rel=0.1)


def test_signal_shift_before_failures(full):
    t = full["telemetry"].copy()
    t["t"] = pd.to_datetime(t["datetime"])
    f = full["failures"]
    f = f[f["datetime"].str[11:] == "06:00:00"]
    for comp, signal, shift in [("comp1", "volt", 19.5), ("comp2", "rotate", -77), ("comp3", "pressure", 25),
                                ("comp4", "vibration", 10.5)]:
        rows = []
        for mid, dt in zip(f.loc[f["failure"] == comp, "machineID"], pd.to_datetime(f.loc[f["failure"] == comp, "datetime"])):
            rows.append(((t["machineID"] == mid) & (t["t"] >= dt - pd.Timedelta(hours=48)) & (t["t"] < dt)))
            if len(rows) == 20:
                break
        mask = np.logical_or.reduce(rows)
        delta = t.loc[mask, signal].mean() - t[signal].mean()
        assert delta == pytest.approx(shift, abs=abs(shift) * 0.25), (comp, delta)


def test_same_seed_same_bytes_and_small_sizes(tmp_path):
    sim = _load()
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    sim.write(sim.simulate(5, 7), str(a))
    sim.write(sim.simulate(5, 7), str(b))
    sim.write(sim.simulate(5, 8), str(c))
    digest = lambda d: {n: hashlib.sha256((d / n).read_bytes()).hexdigest() for n in sorted(os.listdir(d))}
    assert digest(a) == digest(b)
    assert digest(a) != digest(c)
    assert sorted(os.listdir(a)) == ["errors.csv", "failures.csv", "machines.csv", "maint.csv", "telemetry.csv"]
    small = pd.read_csv(a / "failures.csv")
    assert 30 <= len(small) <= 45
    assert pd.read_csv(a / "telemetry.csv").shape == (5 * 8761, 6)
    assert (a / "telemetry.csv").read_text().splitlines()[0] == "datetime,machineID,volt,rotate,pressure,vibration"
