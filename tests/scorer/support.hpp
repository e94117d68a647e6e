#pragma once

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dbk/scorer/table.hpp"

namespace scorer_test {

inline std::string fixtures() {
  return DBK_SCORER_FIXTURES;
}

/// The generators' tree pipelines: their features are assembled outside the pipeline, from
/// these raw columns with handleInvalid=keep, as the scenario does.
inline bool is_tree_pipeline(const std::string& model) {
  return model == "rf_seed" || model == "dt_thresholds" || model == "gbt_binary" ||
         model == "rf_regression" || model == "dt_regression" || model == "gbt_regression" ||
         model == "leaf_and_variance";
}
inline const std::vector<std::string>& tree_pipeline_raw_columns() {
  static const std::vector<std::string> raw = {"f_cont1", "f_cont2", "f_cont3",
                                               "f_cat1",  "f_cat2",  "age"};
  return raw;
}

/// The rows Spark scored `model` on: the version folder's scoring_input, except where Spark
/// 2.0-2.2 could not take all of it into the tree pipelines (a NaN in a categorical column
/// fails their VectorIndexerModel); the generator then wrote those rows as tree_scoring_input.
inline std::string scoring_input_of(const std::string& version_dir, const std::string& model) {
  const std::string trees = version_dir + "/tree_scoring_input";
  if (is_tree_pipeline(model) && std::filesystem::exists(trees)) return trees;
  return version_dir + "/scoring_input";
}

/// A new empty folder under the system's temporary folder, unique to this process and name.
inline std::filesystem::path temp_dir(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() /
           ("dbk_scorer_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

inline std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::vector<nlohmann::json> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  }
  return rows;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Double from the fixtures' JSON (non-finite values are strings).
inline double json_double(const nlohmann::json& j) {
  if (j.is_boolean()) return j.get<bool>() ? 1.0 : 0.0;  // a SQL boolean scored as 1.0 / 0.0
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s == "NaN") return std::nan("");
    return s[0] == '-' ? -HUGE_VAL : HUGE_VAL;
  }
  return j.get<double>();
}

inline bool same_double(double a, double b) {
  return a == b || (std::isnan(a) && std::isnan(b));
}

}  // namespace scorer_test
