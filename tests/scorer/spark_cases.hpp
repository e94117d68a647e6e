#pragma once

// Cases saved and transformed by real Spark, each `<version>/<case>/` with model/, input/ and
// Spark's transform (expected.jsonl, expected_meta.json): generate_exactness_cases.py and
// generate_stage_cases.py write them, spark2x/Spark2Models.java the models' cases for Spark
// 2.x. Helpers to score a case and compare it with Spark's.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "dbk/scorer/scorer.hpp"
#include "support.hpp"

namespace scorer_test {

using dbk::scorer::ScoredColumn;
using nlohmann::json;

// The version folders holding `name`; the generator writes it for every Spark it runs on.
inline std::vector<std::string> case_dirs(const std::string& name) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(fixtures())) {
    if (std::filesystem::exists(e.path() / name / "model")) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline json case_meta(const std::string& dir, const std::string& name) {
  return json::parse(read_file(dir + "/" + name + "/expected_meta.json"));
}

// Scores the case's input with the lanes of the JVM that ran Spark (recorded for 4.x).
inline dbk::scorer::ScoreResult score_case(const std::string& dir, const std::string& name) {
  auto pipeline = dbk::scorer::load_pipeline_model(dir + "/" + name + "/model");
  if (!pipeline.ok()) FAIL(pipeline.error().to_string());
  auto input = dbk::scorer::read_table(dir + "/" + name + "/input");
  if (!input.ok()) FAIL(input.error().to_string());
  dbk::scorer::ScoreOptions options;
  const json meta = case_meta(dir, name);
  if (meta["spark_vector_lanes"].is_number()) {
    options.spark_vector_lanes = meta["spark_vector_lanes"].get<std::size_t>();
  }
  auto result = dbk::scorer::score_table(*pipeline, *input, options);
  if (!result.ok()) FAIL(result.error().to_string());
  return std::move(*result);
}

// Rows whose value of `name` differs from Spark's in any bit (NaN equals NaN), or by more than
// `tolerance` (relative to the larger of 1 and Spark's value) when one is given.
inline std::size_t rows_differing(const dbk::scorer::ScoreResult& result,
                                  const std::vector<json>& expected, const std::string& name,
                                  double tolerance = 0, std::string* first = nullptr) {
  auto close = [tolerance](double got, double want) {
    return same_double(got, want) ||
           std::fabs(got - want) <= tolerance * std::max(1.0, std::fabs(want));
  };
  const ScoredColumn* col = result.find(name);
  REQUIRE(col != nullptr);
  const auto* ids = result.passthrough.find("row_id");
  REQUIRE(ids != nullptr);
  std::map<std::int64_t, std::size_t> by_id;
  for (std::size_t r = 0; r < result.num_rows(); ++r) by_id[ids->ints[r]] = r;
  std::size_t differ = 0;
  for (const auto& row : expected) {
    auto it = by_id.find(row["row_id"].get<std::int64_t>());
    REQUIRE(it != by_id.end());
    const std::size_t r = it->second;
    const json& want = row[name];
    if (want.is_null() || !col->valid[r]) {
      differ += want.is_null() == !col->valid[r] ? 0 : 1;
      continue;
    }
    bool equal = true;
    switch (col->kind) {
      case ScoredColumn::Kind::kString:
        equal = col->strings[r] == want.get<std::string>();
        break;
      case ScoredColumn::Kind::kDouble:
        // An IntegerType column (cluster indices) is one on both sides.
        equal =
            close(col->numbers[r], json_double(want)) && col->integer == want.is_number_integer();
        break;
      case ScoredColumn::Kind::kVector:
        equal = want.size() == col->width;
        for (std::size_t k = 0; equal && k < col->width; ++k) {
          equal = close(col->vector(r)[k], json_double(want[k]));
        }
        break;
      case ScoredColumn::Kind::kVectorList: {  // [[...], [...]]: list_size vectors of width
        const double* got = col->numbers.data() + r * col->width * col->list_size;
        equal = want.size() == col->list_size;
        for (std::size_t i = 0; equal && i < col->list_size; ++i) {
          equal = want[i].size() == col->width;
          for (std::size_t k = 0; equal && k < col->width; ++k) {
            equal = close(got[i * col->width + k], json_double(want[i][k]));
          }
        }
        break;
      }
      case ScoredColumn::Kind::kStringList: {
        const auto& list = col->string_lists[r];
        equal = want.is_array() && want.size() == list.size();
        for (std::size_t k = 0; equal && k < list.size(); ++k) {
          equal = want[k].is_null() ? !list[k] : list[k] && *list[k] == want[k].get<std::string>();
        }
        break;
      }
    }
    if (!equal && differ == 0) {  // the first difference, to show how far off it is
      std::ostringstream got;
      got.precision(17);
      if (col->kind == ScoredColumn::Kind::kString) got << col->strings[r];
      if (col->kind == ScoredColumn::Kind::kDouble) got << col->numbers[r];
      const std::size_t shown = col->kind == ScoredColumn::Kind::kVector ? col->width
                                : col->kind == ScoredColumn::Kind::kVectorList
                                    ? col->width * col->list_size
                                    : 0;
      for (std::size_t k = 0; k < shown; ++k) {
        got << (k ? ", " : "") << col->vector(r)[k];
      }
      if (col->kind == ScoredColumn::Kind::kStringList) {
        for (const auto& e : col->string_lists[r]) got << (e ? json(*e).dump() : "null") << " ";
      }
      if (first != nullptr) {
        *first =
            "row_id " + row["row_id"].dump() + ": scored " + got.str() + ", Spark " + want.dump();
      }
    }
    differ += equal ? 0 : 1;
  }
  return differ;
}

// Checks that the rows of vector column `column` are sparse exactly where Spark held them sparse
// (expected_meta.json's `sparse_rows`, by row_id); returns how many are.
inline std::size_t check_sparse_rows(const dbk::scorer::ScoreResult& result, const json& meta,
                                     const ScoredColumn& column) {
  INFO("column " << column.name);
  const auto* ids = result.passthrough.find("row_id");
  REQUIRE(ids != nullptr);
  std::set<std::int64_t> want, got;
  if (meta["sparse_rows"].contains(column.name)) {
    for (const auto& id : meta["sparse_rows"][column.name]) want.insert(id.get<std::int64_t>());
  }
  for (std::size_t r = 0; r < result.num_rows(); ++r) {
    if (column.is_sparse(r)) got.insert(ids->ints[r]);
  }
  CHECK(got == want);
  return got.size();
}

// Every column the case adds equals Spark's bit for bit, except probabilities (within 1e-12:
// they go through HotSpot's Math.exp, which may differ from the C library's in the last bit) and
// the columns `tolerances` names, held to the tolerance given (for an order of operations the
// scorer does not follow, each documented where the stage is).
inline void check_bit_exact(const std::string& name,
                            const std::map<std::string, double>& tolerances = {},
                            std::size_t min_versions = 2) {
  const auto dirs = case_dirs(name);
  REQUIRE(dirs.size() >= min_versions);  // Spark 3.5 and 4.x, where the stage exists in both
  for (const auto& dir : dirs) {
    INFO(dir << "/" << name);
    const auto result = score_case(dir, name);
    const auto expected = read_jsonl(dir + "/" + name + "/expected.jsonl");
    const json meta = case_meta(dir, name);
    REQUIRE(result.num_rows() == meta["rows"].get<std::size_t>());
    for (const auto& column : meta["added_columns"]) {
      const std::string added = column.get<std::string>();
      INFO("column " << added);
      auto it = tolerances.find(added);
      const double tolerance = it != tolerances.end()                    ? it->second
                               : added.find("prob") != std::string::npos ? 1e-12
                                                                         : 0.0;
      std::string first;
      const std::size_t differing = rows_differing(result, expected, added, tolerance, &first);
      INFO(first);
      CHECK(differing == 0);
    }
  }
}

}  // namespace scorer_test
