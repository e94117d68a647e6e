// Delta tables (live files from _delta_log), unsupported stages, handleInvalid=error messages
// and the output writers.

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "dbk/scorer/scorer.hpp"
#include "support.hpp"

using namespace scorer_test;
namespace fs = std::filesystem;

namespace {

void write_text(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

// A copy of a fixture model in `dir`, with `from` replaced by `to` in the metadata of the stage
// whose folder name begins with `stage_prefix`.
fs::path copy_model_with_edit(const std::string& model, const fs::path& dir,
                              const std::string& stage_prefix, const std::string& from,
                              const std::string& to) {
  fs::copy(model, dir / "model", fs::copy_options::recursive);
  std::size_t edited = 0;
  for (const auto& e : fs::directory_iterator(dir / "model/stages")) {
    if (e.path().filename().string().rfind(stage_prefix, 0) != 0) continue;
    fs::path meta = e.path() / "metadata/part-00000";
    std::string text = read_file(meta.string());
    auto pos = text.find(from);
    REQUIRE(pos != std::string::npos);
    text.replace(pos, from.size(), to);
    std::ofstream(meta) << text;
    ++edited;
  }
  REQUIRE(edited == 1);
  return dir / "model";
}

}  // namespace

TEST_CASE("a Delta table reads only the files live in its log", "[delta]") {
  fs::path dir = temp_dir("delta");
  const fs::path src = fixtures() + "/parquet/folder_table";
  fs::copy_file(src / "part-00000-a.snappy.parquet", dir / "part-a.parquet");
  fs::copy_file(src / "part-00001-b.snappy.parquet", dir / "part b.parquet");
  fs::copy_file(src / "part-00000-a.snappy.parquet", dir / "stale.parquet");  // never added
  write_text(
      dir / "_delta_log/00000000000000000000.json",
      R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})"
      "\n"
      R"({"metaData":{"id":"x","format":{"provider":"parquet"},"partitionColumns":[],"configuration":{}}})"
      "\n"
      R"({"add":{"path":"part-a.parquet","size":1,"dataChange":true}})"
      "\n");
  write_text(dir / "_delta_log/00000000000000000001.json",
             R"({"add":{"path":"part%20b.parquet","size":1,"dataChange":true}})"
             "\n");
  write_text(dir / "_delta_log/00000000000000000002.json",
             R"({"remove":{"path":"part-a.parquet","dataChange":true}})"
             "\n");

  auto files = dbk::scorer::delta_live_files(dir.string());
  REQUIRE(files.ok());
  CHECK(*files == std::vector<std::string>{"part b.parquet"});
  auto table = dbk::scorer::read_table(dir.string());
  REQUIRE(table.ok());
  CHECK(table->num_rows == 140);

  SECTION("deletion vectors are refused") {
    write_text(dir / "_delta_log/00000000000000000003.json",
               R"({"add":{"path":"stale.parquet","deletionVector":{"storageType":"u"}}})"
               "\n");
    auto t = dbk::scorer::read_table(dir.string());
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().error_code == "DELTA_UNSUPPORTED");
  }
  SECTION("an add path that leaves the table folder is refused, in any spelling") {
    write_text(dir.parent_path() / "outside.parquet", "PAR1");
    for (const std::string path :
         {"../outside.parquet", "..%2Foutside.parquet", "%2E%2E/outside.parquet",
          "sub/../../outside.parquet", "./part-a.parquet", "part-a.parquet%00"}) {
      CAPTURE(path);
      write_text(dir / "_delta_log/00000000000000000003.json",
                 R"({"add":{"path":")" + path +
                     R"(","size":1,"dataChange":true}})"
                     "\n");
      auto live = dbk::scorer::delta_live_files(dir.string());
      REQUIRE_FALSE(live.ok());
      CHECK(live.error().error_code == "DELTA_CORRUPT");
      CHECK(live.error().message.find("leaves the table folder") != std::string::npos);
      CHECK_FALSE(dbk::scorer::read_table(dir.string()).ok());
    }
    fs::remove(dir.parent_path() / "outside.parquet");
  }
  SECTION("an over-deep log line is a clean DELTA_CORRUPT, not a stack overflow") {
    const std::size_t depth = 200000;
    write_text(
        dir / "_delta_log/00000000000000000003.json",
        R"({"commitInfo":{"x":)" + std::string(depth, '[') + std::string(depth, ']') + "}}\n");
    auto t = dbk::scorer::read_table(dir.string());
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().error_code == "DELTA_CORRUPT");
    CHECK(t.error().message.find("nested deeper than") != std::string::npos);
  }
  SECTION("a gap in the commits is an error") {
    write_text(dir / "_delta_log/00000000000000000005.json", "{}\n");
    auto t = dbk::scorer::read_table(dir.string());
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().error_code == "DELTA_CORRUPT");
  }
  fs::remove_all(dir);
}

TEST_CASE("an unsupported stage is named before scoring", "[pipeline]") {
  fs::path dir = temp_dir("unsupported");
  auto edited = copy_model_with_edit(fixtures() + "/spark-3.5/rf_seed/model", dir, "1_",
                                     "org.apache.spark.ml.feature.VectorIndexerModel",
                                     "org.apache.spark.ml.recommendation.ALSModel");
  auto model = dbk::scorer::load_pipeline_model(edited.string());
  REQUIRE_FALSE(model.ok());
  CHECK(model.error().error_code == "UNSUPPORTED_STAGE");
  CHECK(model.error().message.find("org.apache.spark.ml.recommendation.ALSModel") !=
        std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("over-deep stage metadata is MODEL_CORRUPT, not a crash", "[pipeline]") {
  // A hostile model folder: a parameter nested 200,000 levels deep. Loading refuses the
  // metadata by name instead of building a value whose copies and dumps overflow the stack.
  fs::path dir = temp_dir("deep_meta");
  const std::size_t depth = 200000;
  const std::string deep = std::string(depth, '[') + std::string(depth, ']');
  const std::string cls = R"("class":"org.apache.spark.ml.feature.VectorIndexerModel")";
  auto edited = copy_model_with_edit(fixtures() + "/spark-3.5/rf_seed/model", dir, "1_", cls,
                                     cls + R"(,"hostile":)" + deep);
  auto model = dbk::scorer::load_pipeline_model(edited.string());
  REQUIRE_FALSE(model.ok());
  CHECK(model.error().error_code == "MODEL_CORRUPT");
  CHECK(model.error().message.find("1_VectorIndexer") != std::string::npos);
  CHECK(model.error().message.find("nested deeper than 512 levels") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("a folder that is not a model is a clean error", "[pipeline]") {
  auto model = dbk::scorer::load_pipeline_model(fixtures() + "/parquet");
  REQUIRE_FALSE(model.ok());
  CHECK(model.error().error_code == "MODEL_CORRUPT");
}

TEST_CASE("handleInvalid=error reports the stage, column and value", "[pipeline]") {
  auto model = dbk::scorer::load_pipeline_model(fixtures() + "/spark-3.5/rf_seed/model");
  REQUIRE(model.ok());
  auto input = dbk::scorer::read_table(fixtures() + "/spark-3.5/scoring_input");
  REQUIRE(input.ok());
  input->find("label_e")->doubles[3] = 7.0;  // a label the indexer never saw
  dbk::scorer::ScoreOptions options;
  options.assemble_columns = {"f_cont1", "f_cont2", "f_cont3", "f_cat1", "f_cat2", "age"};
  options.assemble_handle_invalid = "keep";
  auto result = dbk::scorer::score_table(*model, *input, options);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().error_code == "INVALID_DATA");
  CHECK(result.error().message.find("StringIndexerModel") != std::string::npos);
  CHECK(result.error().message.find("'7.0'") != std::string::npos);

  SECTION("without the label column the indexer is skipped, as in Spark") {
    auto& cols = input->columns;
    cols.erase(
        std::remove_if(cols.begin(), cols.end(), [](const auto& c) { return c.name == "label_e"; }),
        cols.end());
    auto ok = dbk::scorer::score_table(*model, *input, options);
    REQUIRE(ok.ok());
    CHECK(ok->find("indexedLabel") == nullptr);
    CHECK(ok->find("prediction") != nullptr);
  }
  SECTION("the NaN check of VectorAssembler handleInvalid=error") {
    options.assemble_handle_invalid = "error";
    auto bad = dbk::scorer::score_table(*model, *input, options);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().message.find("NaN") != std::string::npos);
  }
}

TEST_CASE("VectorSlicer names and one-hot sizes come from ML attributes", "[pipeline]") {
  const std::string fixture = fixtures() + "/spark-3.5/attribute_names";
  auto input = dbk::scorer::read_table(fixture + "/input");
  REQUIRE(input.ok());
  // The reader hands over the field metadata Spark stored in the footer's schema.
  REQUIRE(input->find("raw") != nullptr);
  CHECK(input->find("raw")->metadata.find("\"ml_attr\"") != std::string::npos);
  CHECK(input->find("color_idx")->metadata.find("\"nominal\"") != std::string::npos);
  CHECK(input->find("age")->metadata.empty());
  auto model = dbk::scorer::load_pipeline_model(fixture + "/model");
  REQUIRE(model.ok());
  REQUIRE(dbk::scorer::score_table(*model, *input, {}).ok());

  SECTION("a vector without attributes has no names to pick") {
    input->find("raw")->metadata.clear();
    auto result = dbk::scorer::score_table(*model, *input, {});
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().error_code == "INVALID_DATA");
    CHECK(result.error().message.find("VectorSlicer") != std::string::npos);
    CHECK(result.error().message.find("'f_cat1'") != std::string::npos);
  }
  SECTION("a nominal attribute that disagrees with the encoder's categories") {
    auto& metadata = input->find("color_idx")->metadata;
    const auto vals = metadata.find("\"vals\":[");
    REQUIRE(vals != std::string::npos);
    metadata.insert(vals + 8, "\"extra\",");
    auto result = dbk::scorer::score_table(*model, *input, {});
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find("OneHotEncoderModel expected") != std::string::npos);
  }
  SECTION("indices and names that pick the same feature") {
    fs::path dir = temp_dir("slicer_overlap");
    // Index 0, which `indices` selects too.
    auto edited = copy_model_with_edit(fixture + "/model", dir, "0_VectorSlicer", "\"f_cat1\"",
                                       "\"f_cont1\"");
    auto overlapping = dbk::scorer::load_pipeline_model(edited.string());
    REQUIRE(overlapping.ok());
    auto result = dbk::scorer::score_table(*overlapping, *input, {});
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().message.find("disjoint") != std::string::npos);
    CHECK(result.error().message.find("0:f_cont1") != std::string::npos);
    fs::remove_all(dir);
  }
}

TEST_CASE("VectorSizeHint checks nulls and sizes as handleInvalid says", "[pipeline]") {
  const std::string fixture = fixtures() + "/spark-3.5/size_hint";
  auto input = dbk::scorer::read_table(fixture + "/input");
  REQUIRE(input.ok());
  const fs::path dir = temp_dir("size_hint");
  auto score_with = [&](const std::string& from, const std::string& to) {
    fs::remove_all(dir / "model");
    auto edited = copy_model_with_edit(fixture + "/model", dir, "0_VectorSizeHint", from, to);
    auto model = dbk::scorer::load_pipeline_model(edited.string());
    REQUIRE(model.ok());
    return dbk::scorer::score_table(*model, *input, {});
  };
  const std::string skip = "\"handleInvalid\":\"skip\"";

  auto error = score_with(skip, "\"handleInvalid\":\"error\"");
  REQUIRE_FALSE(error.ok());
  CHECK(error.error().error_code == "INVALID_DATA");
  CHECK(error.error().message.find("Got null vector") != std::string::npos);

  auto optimistic = score_with(skip, "\"handleInvalid\":\"optimistic\"");
  REQUIRE(optimistic.ok());
  CHECK(optimistic->num_rows() == input->num_rows);  // null vectors kept, assembled as NaN

  auto wrong_size = score_with("\"size\":6", "\"size\":5");
  REQUIRE(wrong_size.ok());
  CHECK(wrong_size->num_rows() == 0);  // skip drops every row of another size
  fs::remove_all(dir);
}

TEST_CASE("a job matches a Spark 4.x model's vector lanes to Spark's results", "[job]") {
  // Spark's own predictions of the two-lane GBT, as the results table a job compares with.
  const std::string fixture = fixtures() + "/spark-4.0/gbt_regression_two_lanes";
  dbk::scorer::Table spark;
  dbk::scorer::Column id, prediction;
  id.name = "row_id";
  id.type = dbk::scorer::ColumnType::kInt64;
  prediction.name = "prediction";
  for (const auto& row : read_jsonl(fixture + "/expected.jsonl")) {
    id.ints.push_back(row["row_id"].get<std::int64_t>());
    prediction.doubles.push_back(json_double(row["prediction"]));
    id.valid.push_back(1);
    prediction.valid.push_back(1);
  }
  spark.num_rows = id.size();
  spark.columns = {id, prediction};
  const fs::path dir = temp_dir("lanes_job");
  REQUIRE(dbk::scorer::write_parquet_file(spark, (dir / "results.parquet").string()).ok());

  dbk::scorer::ScoreJob job;
  job.model = fixture + "/model";
  job.input = fixtures() + "/spark-4.0/scoring_input";
  job.compare_with = (dir / "results.parquet").string();
  job.key_columns = {"row_id"};
  auto fixed = dbk::scorer::run_score_job(job, nullptr);
  REQUIRE(fixed.ok());
  CHECK(fixed->spark_vector_lanes == 4);
  CHECK(fixed->comparison->prediction_mismatches > 0);  // the default four lanes are not Spark's

  job.match_vector_lanes = true;
  job.output = (dir / "scores.jsonl").string();
  auto matched = dbk::scorer::run_score_job(job, nullptr);
  REQUIRE(matched.ok());
  CHECK(matched->spark_vector_lanes == 2);
  CHECK(matched->comparison->rows_compared == spark.num_rows);
  CHECK(matched->ok());
  // The file holds the matching scores, not the first ones.
  std::map<std::int64_t, double> written;
  for (const auto& row : read_jsonl(job.output)) {
    written[row["row_id"].get<std::int64_t>()] = json_double(row["prediction"]);
  }
  REQUIRE(written.size() == spark.num_rows);
  std::size_t differ = 0;
  for (std::size_t r = 0; r < spark.num_rows; ++r) {
    differ += same_double(written[id.ints[r]], prediction.doubles[r]) ? 0 : 1;
  }
  CHECK(differ == 0);
  fs::remove_all(dir);
}

TEST_CASE("results are written as CSV and JSON lines", "[output]") {
  auto model = dbk::scorer::load_pipeline_model(fixtures() + "/spark-4.0/feature_zoo/model");
  REQUIRE(model.ok());
  auto input = dbk::scorer::read_table(fixtures() + "/spark-4.0/scoring_input");
  REQUIRE(input.ok());
  dbk::scorer::ScoreOptions options;
  options.keep_columns = {"machineID", "dt_truncated", "row_id"};
  auto result = dbk::scorer::score_table(*model, *input, options);
  REQUIRE(result.ok());
  fs::path dir = temp_dir("out");
  REQUIRE(dbk::scorer::write_results(*result, (dir / "out.csv").string()).ok());
  REQUIRE(dbk::scorer::write_results(*result, (dir / "out.jsonl").string()).ok());
  auto rows = read_jsonl((dir / "out.jsonl").string());
  REQUIRE(rows.size() == result->num_rows());
  CHECK(rows[0]["dt_truncated"].get<std::string>().find("2016-01-01T00:00:00") == 0);
  CHECK(rows[0]["probability"].size() == result->find("probability")->width);
  CHECK(rows[0]["predictedLabel"].is_string());
  std::string csv = read_file((dir / "out.csv").string());
  CHECK(csv.rfind("machineID,dt_truncated,row_id,", 0) == 0);
  CHECK_FALSE(dbk::scorer::write_results(*result, (dir / "out.txt").string()).ok());

  // A write that fails leaves the existing file whole and no temporary file behind.
  fs::create_directory(dir / "taken.csv");
  auto clash = dbk::scorer::write_results(*result, (dir / "taken.csv").string());
  REQUIRE_FALSE(clash.ok());
  CHECK(clash.error().message.find("taken.csv") != std::string::npos);
  CHECK(fs::is_directory(dir / "taken.csv"));
  auto missing = dbk::scorer::write_results(*result, (dir / "no" / "out.jsonl").string());
  REQUIRE_FALSE(missing.ok());
  CHECK(read_file((dir / "out.csv").string()) == csv);
  std::size_t entries = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 3);  // out.csv, out.jsonl, taken.csv
  fs::remove_all(dir);
}

// Keys only join a comparison: a table without the scenario's machineID is scored and written
// without any, and named keys are still checked before scoring when they join one.
TEST_CASE("run_score_job needs key columns only to compare", "[job]") {
  const std::string dir = fixtures() + "/spark-3.5/size_hint";
  const fs::path out = temp_dir("no_keys");
  dbk::scorer::ScoreJob job;
  job.model = dir + "/model";
  job.input = dir + "/input";
  job.output = (out / "scores.jsonl").string();
  auto report = dbk::scorer::run_score_job(job, nullptr);
  if (!report.ok()) FAIL(report.error().to_string());
  CHECK(report->rows_scored == 59);
  CHECK_FALSE(report->comparison);
  CHECK(read_jsonl(job.output).size() == 59);

  job.compare_with = dir + "/input";
  job.key_columns = {"machineID"};
  auto keyed = dbk::scorer::run_score_job(job, nullptr);
  REQUIRE_FALSE(keyed.ok());
  CHECK(keyed.error().error_code == "COLUMN_NOT_FOUND");
  CHECK(keyed.error().message.find("machineID") != std::string::npos);
  fs::remove_all(out);
}
