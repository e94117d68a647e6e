// Pipelines trained and saved by PySpark 3.5, 4.0, 4.1 and 4.3 (generate_spark_models.py)
// and by Spark 2.0.2 to 2.4.8 (scorer/fixtures/spark2x/) must score exactly as Spark's own
// transform did: predictions and strings identical, every other number (probabilities, raw
// scores, intermediate vectors) within 1e-12. Every tests/fixtures/scorer/spark-* folder is
// checked; a folder lacks a model only if its ABSENT file names it (a stage that release lacks).

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "dbk/scorer/scorer.hpp"
#include "support.hpp"

using namespace scorer_test;
using dbk::scorer::ScoredColumn;
using nlohmann::json;

namespace {

dbk::scorer::ScoreOptions options_for(const std::string& model) {
  dbk::scorer::ScoreOptions o;
  if (is_tree_pipeline(model)) {
    o.assemble_columns = tree_pipeline_raw_columns();
    o.assemble_handle_invalid = "keep";
  }
  // Saved by a JVM with 128-bit vectors (scorer/fixtures/generate_vector_lanes.py).
  if (model == "gbt_regression_two_lanes") o.spark_vector_lanes = 2;
  o.block_rows = 16;  // several blocks even on the small fixture
  o.threads = 3;
  return o;
}

struct Diff {
  std::size_t exact_mismatches = 0;
  double max_diff = 0;
};

void compare_number(double got, const json& want, bool exact, Diff& d) {
  double w = json_double(want);
  if (same_double(got, w)) return;
  if (exact) {
    ++d.exact_mismatches;
    return;
  }
  double diff = std::fabs(got - w) / std::max(1.0, std::fabs(w));
  if (std::isnan(diff)) diff = HUGE_VAL;
  d.max_diff = std::max(d.max_diff, diff);
}

void check_model(const std::string& version_dir, const std::string& model,
                 const std::string& input_dir = "") {
  INFO(version_dir << "/" << model);
  auto pipeline = dbk::scorer::load_pipeline_model(version_dir + "/" + model + "/model");
  if (!pipeline.ok()) FAIL(pipeline.error().to_string());
  auto input =
      dbk::scorer::read_table(input_dir.empty() ? scoring_input_of(version_dir, model) : input_dir);
  if (!input.ok()) FAIL(input.error().to_string());
  auto result = dbk::scorer::score_table(*pipeline, *input, options_for(model));
  if (!result.ok()) FAIL(result.error().to_string());

  auto expected = read_jsonl(version_dir + "/" + model + "/expected.jsonl");
  auto meta = json::parse(read_file(version_dir + "/" + model + "/expected_meta.json"));
  REQUIRE(result->num_rows() == expected.size());
  const auto* ids = result->passthrough.find("row_id");
  REQUIRE(ids != nullptr);
  std::map<std::int64_t, std::size_t> by_id;
  for (std::size_t r = 0; r < result->num_rows(); ++r) by_id[ids->ints[r]] = r;

  // Spark's columns and no others (e.g. a Spark 2.0/2.1 GBT classifier has no rawPrediction),
  // besides the features vector assembled outside the tree pipelines.
  std::set<std::string> added;
  for (const auto& name : meta["added_columns"]) added.insert(name.get<std::string>());
  for (const auto& column : result->columns) {
    INFO("scored column " << column.name);
    CHECK(
        (added.count(column.name) == 1 || (is_tree_pipeline(model) && column.name == "features")));
  }

  for (const auto& name_json : meta["added_columns"]) {
    const std::string name = name_json.get<std::string>();
    INFO("column " << name);
    const ScoredColumn* col = result->find(name);
    REQUIRE(col != nullptr);
    const bool exact = name == "prediction" || name.find("idx") != std::string::npos ||
                       name == "indexedLabel" || name == "predictedLabel" || name == "f3_bucket" ||
                       name.find("_pred") != std::string::npos ||
                       name.find("_leaf") != std::string::npos;
    Diff d;
    for (const auto& row : expected) {
      auto it = by_id.find(row["row_id"].get<std::int64_t>());
      REQUIRE(it != by_id.end());
      const std::size_t r = it->second;
      const json& want = row[name];
      if (want.is_null()) {
        CHECK_FALSE(col->valid[r]);
        continue;
      }
      REQUIRE(col->valid[r]);
      switch (col->kind) {
        case ScoredColumn::Kind::kString:
          if (col->strings[r] != want.get<std::string>()) ++d.exact_mismatches;
          break;
        case ScoredColumn::Kind::kDouble:
          compare_number(col->numbers[r], want, exact, d);
          break;
        case ScoredColumn::Kind::kVector:
          REQUIRE(want.size() == col->width);
          for (std::size_t k = 0; k < col->width; ++k)
            compare_number(col->vector(r)[k], want[k], exact, d);
          break;
        case ScoredColumn::Kind::kStringList:
          FAIL("these models add no lists of strings");
          break;
      }
    }
    CHECK(d.exact_mismatches == 0);
    CHECK(d.max_diff <= 1e-12);
  }
}

std::vector<std::string> version_dirs() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(fixtures())) {
    if (e.path().filename().string().rfind("spark-", 0) == 0) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The models a version folder's ABSENT file names ("model: reason" lines), written by the 2.x
// generator for pipelines whose stages that release does not have.
std::set<std::string> absent_models(const std::string& dir) {
  std::set<std::string> out;
  std::ifstream in(dir + "/ABSENT");
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.insert(line.substr(0, line.find(':')));
  }
  return out;
}

}  // namespace

TEST_CASE("Spark-saved pipelines score exactly like Spark's transform", "[spark]") {
  auto dirs = version_dirs();
  REQUIRE(dirs.size() >= 2);
  for (const auto& dir : dirs) {
    const auto absent = absent_models(dir);
    for (const char* model :
         {"rf_seed", "dt_thresholds", "gbt_binary", "rf_regression", "dt_regression",
          "gbt_regression", "feature_zoo", "linear_nested", "skip_rows", "binary_logistic"}) {
      SECTION(std::filesystem::path(dir).filename().string() + "/" + model) {
        if (absent.count(model) != 0) {
          CHECK_FALSE(std::filesystem::exists(dir + "/" + model));
        } else {
          check_model(dir, model);
        }
      }
    }
    const std::string version = std::filesystem::path(dir).filename().string();
    // VectorSlicer by names and a OneHotEncoder over a table's StringIndexer column: the ML
    // attributes come from the input table's Spark metadata, then from stage to stage.
    SECTION(version + "/attribute_names") {
      check_model(dir, "attribute_names", dir + "/attribute_names/input");
    }
    // From 3.5 on (the PySpark generator's folders): IndexToString without labels; the trees'
    // leafCol and varianceCol outputs (Spark 3.0+); VectorSizeHint.
    if (version.rfind("spark-2.", 0) != 0) {
      for (const char* model : {"index_to_string", "leaf_and_variance"}) {
        SECTION(version + "/" + model) {
          check_model(dir, model);
        }
      }
      // VectorSizeHint with skip, over a table with null vectors (its own input).
      SECTION(version + "/size_hint") {
        check_model(dir, "size_hint", dir + "/size_hint/input");
      }
    }
    // Spark 4.x's VectorBLAS on a machine with 128-bit vectors: GBT margins in two lanes.
    if (version.rfind("spark-4.", 0) == 0) {
      SECTION(version + "/gbt_regression_two_lanes") {
        check_model(dir, "gbt_regression_two_lanes");
      }
    }
    // Spark 2.x only: its OneHotEncoder transformer is gone from 3.0.
    if (version.rfind("spark-2.", 0) == 0) {
      for (const char* model : {"onehot_legacy", "onehot_attributes"}) {
        SECTION(std::filesystem::path(dir).filename().string() + "/" + model) {
          check_model(dir, model);
        }
      }
    }
  }
}

TEST_CASE("the saved layouts of Spark 2.4 and 4.1 load and score identically", "[spark][layouts]") {
  // Hand-built from the 3.5 model by scorer/fixtures/make_version_variants.py
  // (docs/reference/spark-models.md §1.5).
  for (const char* layout : {"spark-2.4-layout", "spark-4.1-layout"}) {
    SECTION(layout) {
      check_model(fixtures() + "/layouts/" + layout, "rf_seed",
                  fixtures() + "/spark-3.5/scoring_input");
    }
  }
}

TEST_CASE("the seed-shaped model reports its stages and inputs", "[spark]") {
  auto model = dbk::scorer::load_pipeline_model(fixtures() + "/spark-3.5/rf_seed/model");
  REQUIRE(model.ok());
  REQUIRE(model->stages().size() == 3);
  CHECK(model->stages()[0].class_name == "org.apache.spark.ml.feature.StringIndexerModel");
  CHECK(model->stages()[2].class_name ==
        "org.apache.spark.ml.classification.RandomForestClassificationModel");
  CHECK(model->spark_version().rfind("3.5", 0) == 0);
  auto inputs = model->required_input_columns();
  CHECK(inputs == std::vector<std::string>{"label_e", "features"});
}

TEST_CASE("a model saved by Spark 2.4 reports its version and stages", "[spark]") {
  // Real 2.4.8 files: StringIndexer `labels`, no `rawCount`, Scala default uids
  // (docs/reference/spark-models.md §1.5).
  auto model = dbk::scorer::load_pipeline_model(fixtures() + "/spark-2.4/rf_seed/model");
  REQUIRE(model.ok());
  CHECK(model->spark_version() == "2.4.8");
  REQUIRE(model->stages().size() == 3);
  CHECK(model->stages()[0].class_name == "org.apache.spark.ml.feature.StringIndexerModel");
  CHECK(model->stages()[2].class_name ==
        "org.apache.spark.ml.classification.RandomForestClassificationModel");
  CHECK(model->required_input_columns() == std::vector<std::string>{"label_e", "features"});
}

TEST_CASE("compare_results joins Spark's results table on the keys", "[spark][compare]") {
  for (const auto& dir : version_dirs()) {
    INFO(dir);
    if (absent_models(dir).count("rf_seed") != 0) continue;
    auto model = dbk::scorer::load_pipeline_model(dir + "/rf_seed/model");
    REQUIRE(model.ok());
    auto input = dbk::scorer::read_table(scoring_input_of(dir, "rf_seed"));
    REQUIRE(input.ok());
    auto scored = dbk::scorer::score_table(*model, *input, options_for("rf_seed"));
    REQUIRE(scored.ok());
    auto expected = dbk::scorer::read_table(dir + "/rf_seed/results_output");
    if (!expected.ok()) FAIL(expected.error().to_string());
    dbk::scorer::CompareOptions copt;
    copt.key_columns = {"machineID", "dt_truncated"};
    auto report = dbk::scorer::compare_results(*scored, *expected, copt);
    if (!report.ok()) FAIL(report.error().to_string());
    CHECK(report->rows_compared == input->num_rows);
    CHECK(report->prediction_mismatches == 0);
    CHECK(report->max_probability_diff <= 1e-12);
    CHECK(report->ok());
  }
}

TEST_CASE("scoring output does not depend on threads or block size", "[spark]") {
  const std::string dir = fixtures() + "/spark-4.0";
  auto model = dbk::scorer::load_pipeline_model(dir + "/rf_seed/model");
  REQUIRE(model.ok());
  auto input = dbk::scorer::read_table(dir + "/scoring_input");
  REQUIRE(input.ok());
  auto a = options_for("rf_seed");
  a.threads = 1;
  a.block_rows = 1000;
  auto b = options_for("rf_seed");
  b.threads = 4;
  b.block_rows = 3;
  auto ra = dbk::scorer::score_table(*model, *input, a);
  auto rb = dbk::scorer::score_table(*model, *input, b);
  REQUIRE(ra.ok());
  REQUIRE(rb.ok());
  CHECK(ra->find("probability")->numbers == rb->find("probability")->numbers);
  CHECK(ra->find("prediction")->numbers == rb->find("prediction")->numbers);
}

// Spark 4.x sums GBT trees in as many fused lanes as the JVM's widest double vector holds. With
// more lanes than trees (the fixture has 6, AVX-512 gives 8), every tree goes to the unfused
// tail in tree order: the sum of Spark 3.0/3.1's F2J ddot. The same model relabelled 3.1 must
// then score bit for bit alike.
TEST_CASE("Spark 4.x GBT sums follow ScoreOptions::spark_vector_lanes", "[spark]") {
  const std::string source = fixtures() + "/spark-4.0/gbt_regression";
  const auto copy = temp_dir("lanes") / "gbt_regression";
  std::filesystem::copy(source, copy, std::filesystem::copy_options::recursive);
  std::size_t relabelled = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(copy / "model")) {
    if (e.path().parent_path().filename() != "metadata" || e.path().filename().string()[0] == '_')
      continue;
    std::string text = read_file(e.path().string());
    const auto at = text.find("\"sparkVersion\":\"4.0.5\"");
    REQUIRE(at != std::string::npos);
    text.replace(at, 22, "\"sparkVersion\":\"3.1.3\"");
    std::ofstream(e.path()) << text;
    ++relabelled;
  }
  REQUIRE(relabelled == 3);  // the pipeline and its two stages
  auto spark4 = dbk::scorer::load_pipeline_model(source + "/model");
  auto spark31 = dbk::scorer::load_pipeline_model((copy / "model").string());
  REQUIRE(spark4.ok());
  REQUIRE(spark31.ok());
  auto input =
      dbk::scorer::read_table(scoring_input_of(fixtures() + "/spark-4.0", "gbt_regression"));
  REQUIRE(input.ok());

  auto options = options_for("gbt_regression");
  auto in_order = dbk::scorer::score_table(*spark31, *input, options);
  options.spark_vector_lanes = 8;
  auto eight_lanes = dbk::scorer::score_table(*spark4, *input, options);
  REQUIRE(in_order.ok());
  REQUIRE(eight_lanes.ok());
  const auto& a = in_order->find("prediction")->numbers;
  const auto& b = eight_lanes->find("prediction")->numbers;
  REQUIRE(a.size() == b.size());
  std::size_t differ = 0;
  for (std::size_t r = 0; r < a.size(); ++r) differ += same_double(a[r], b[r]) ? 0 : 1;
  CHECK(differ == 0);

  // Two lanes, against Spark 4.x runs on a JVM with 128-bit vectors (the fixtures above): the
  // default four-lane order must differ from them somewhere, or they would check nothing.
  std::size_t four_lane_mismatches = 0;
  for (const char* version : {"spark-4.0", "spark-4.1", "spark-4.3"}) {
    const std::string dir = fixtures() + "/" + version;
    auto two_lanes = dbk::scorer::load_pipeline_model(dir + "/gbt_regression_two_lanes/model");
    REQUIRE(two_lanes.ok());
    auto four = dbk::scorer::score_table(*two_lanes, *input, options_for("gbt_regression"));
    auto two =
        dbk::scorer::score_table(*two_lanes, *input, options_for("gbt_regression_two_lanes"));
    REQUIRE(four.ok());
    REQUIRE(two.ok());
    const auto& p4 = four->find("prediction")->numbers;
    const auto& p2 = two->find("prediction")->numbers;
    for (std::size_t r = 0; r < p4.size(); ++r)
      four_lane_mismatches += same_double(p4[r], p2[r]) ? 0 : 1;
  }
  CHECK(four_lane_mismatches > 0);

  options.spark_vector_lanes = 3;
  auto refused = dbk::scorer::score_table(*spark4, *input, options);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().error_code == "INVALID_ARGUMENT");
}
