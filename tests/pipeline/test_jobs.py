"""The job templates: 2.1 shape, reference settings, placeholders, and parameters that match
the notebooks' widgets (a mismatch would silently fall back to defaults)."""

import glob
import json
import os
import re

import pytest

from conftest import NOTEBOOKS, REPO

TEMPLATES = sorted(glob.glob(os.path.join(REPO, "jobs", "0*.json")))
PLACEHOLDER = re.compile(r"\{\{([^}]*)\}\}")


def widgets_of(notebook):
    with open(os.path.join(NOTEBOOKS, notebook + ".py"), encoding="utf-8") as f:
        text = f.read()
    return set(re.findall(r"dbutils\.widgets\.(?:text|dropdown|combobox|multiselect)\(\s*\"([^\"]+)\"", text))


def test_five_templates():
    assert [os.path.basename(t)[:2] for t in TEMPLATES] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", TEMPLATES, ids=os.path.basename)
def test_template(path):
    text = open(path, encoding="utf-8").read()
    assert set(PLACEHOLDER.findall(text)) <= {"cluster_id", "user", "notebook_dir"}
    spec = json.loads(text)
    assert spec["timeout_seconds"] == 3600
    (task,) = spec["tasks"]
    assert task["existing_cluster_id"] == "{{cluster_id}}"
    assert task["max_retries"] == 1 and task["timeout_seconds"] == 3600
    nb_path = task["notebook_task"]["notebook_path"]
    assert nb_path.startswith("{{notebook_dir}}/")
    notebook = nb_path.split("/", 1)[1]
    assert os.path.isfile(os.path.join(NOTEBOOKS, notebook + ".py"))
    params = task["notebook_task"].get("base_parameters", {})
    assert set(params) <= widgets_of(notebook)


def test_reference_parameters():
    by_name = {json.load(open(t))["name"]: json.load(open(t))["tasks"][0]["notebook_task"].get("base_parameters", {})
               for t in TEMPLATES}
    assert by_name["Feature Engineering"] == {"FEATURES_TABLE": "training_data", "Start_Date": "2000-01-01",
                                              "zEnd_Date": "2015-10-30"}
    assert by_name["Model Building"] == {"TRAINING_TABLE": "training_data", "model": "RandomForest"}
    assert by_name["Model Scoring"] == {"SCORING_DATA": "scoring_input", "RESULTS_DATA": "results_output",
                                        "MODEL_TYPE": "RandomForest"}
    assert by_name["Scoring Workflow"] == {"RESULTS_DATA": "HPresults_output", "MODEL_TYPE": "RandomForest",
                                           "Start_Date": "2015-11-15", "zEnd_Date": "2016-04-30"}
    assert by_name["Data ingestion"] == {}


def test_notebooks_are_source_format_with_reference_widgets():
    for name in ["1_data_ingestion", "2_feature_engineering", "3_model_building", "4_model_scoring",
                 "5_scoring_workflow"]:
        with open(os.path.join(NOTEBOOKS, name + ".py"), encoding="utf-8") as f:
            assert f.readline().rstrip("\n") == "# Databricks notebook source"
    assert widgets_of("2_feature_engineering") == {"FEATURES_TABLE", "Start_Date", "zEnd_Date"}
    assert {"TRAINING_TABLE", "model"} <= widgets_of("3_model_building")
    assert widgets_of("4_model_scoring") == {"SCORING_DATA", "RESULTS_DATA", "MODEL_TYPE"}
    assert widgets_of("5_scoring_workflow") == {"RESULTS_DATA", "MODEL_TYPE", "Start_Date", "zEnd_Date"}
