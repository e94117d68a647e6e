// Live files of a Delta table from `_delta_log/` (reference spark-model-format.md §4.10):
// start from the newest Parquet checkpoint named by `_last_checkpoint` (or found by listing),
// then replay the JSON commits after it. Features that change what a file's rows mean
// (deletion vectors, column mapping) are refused instead of being read wrongly.

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dbk/scorer/dataset.hpp"

namespace dbk::scorer {
namespace fs = std::filesystem;

namespace {

ApiError corrupt(const std::string& where, const std::string& what) {
  return make_error(error_codes::kDeltaCorrupt, where + ": " + what);
}

std::string url_decode(const std::string& s) {
  std::string out;
  for (std::size_t k = 0; k < s.size(); ++k) {
    if (s[k] == '%' && k + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[k + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[k + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(k + 1, 2), nullptr, 16));
      k += 2;
    } else {
      out += s[k];
    }
  }
  return out;
}

// Version number of a log file name "00000000000000000012.json" / ".checkpoint.parquet".
bool parse_version(const std::string& name, std::int64_t& version) {
  if (name.size() < 20) return false;
  for (int k = 0; k < 20; ++k) {
    if (!std::isdigit(static_cast<unsigned char>(name[static_cast<std::size_t>(k)]))) return false;
  }
  // Accumulate without std::stoll: 20 digits can exceed int64, and stoll would throw.
  std::int64_t v = 0;
  for (int k = 0; k < 20; ++k) {
    if (v > (INT64_MAX - 9) / 10) return false;
    v = v * 10 + (name[static_cast<std::size_t>(k)] - '0');
  }
  version = v;
  return true;
}

struct LogState {
  std::map<std::string, std::size_t> live;  // path → order of addition
  std::size_t counter = 0;
  std::string unsupported;
};

void check_metadata(const nlohmann::json& meta, LogState& state) {
  if (!meta.is_object()) return;
  auto conf = meta.find("configuration");
  if (conf != meta.end() && conf->is_object()) {
    auto mode = conf->find("delta.columnMapping.mode");
    if (mode != conf->end() && mode->is_string() && *mode != "none") {
      state.unsupported = "column mapping mode '" + mode->get<std::string>() + "'";
    }
  }
  auto parts = meta.find("partitionColumns");
  if (parts != meta.end() && parts->is_array() && !parts->empty()) {
    state.unsupported = "partitioned Delta tables (partition values live in the log)";
  }
}

void apply_action(const nlohmann::json& action, LogState& state) {
  if (!action.is_object()) return;
  if (auto add = action.find("add"); add != action.end() && add->is_object()) {
    auto path = add->find("path");
    if (path != add->end() && path->is_string()) {
      auto dv = add->find("deletionVector");
      if (dv != add->end() && !dv->is_null()) state.unsupported = "deletion vectors";
      state.live[url_decode(path->get<std::string>())] = state.counter++;
    }
  }
  if (auto rm = action.find("remove"); rm != action.end() && rm->is_object()) {
    auto path = rm->find("path");
    if (path != rm->end() && path->is_string())
      state.live.erase(url_decode(path->get<std::string>()));
  }
  if (auto meta = action.find("metaData"); meta != action.end()) check_metadata(*meta, state);
}

// The checkpoint's add/remove/metaData structs, as JSON, so one code path applies them.
nlohmann::json value_to_json(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return nullptr;
    case Value::Kind::kBool:
      return v.i != 0;
    case Value::Kind::kInt:
      return v.i;
    case Value::Kind::kDouble:
      return v.d;
    case Value::Kind::kString:
    case Value::Kind::kBinary:
      return v.s;
    case Value::Kind::kList: {
      auto arr = nlohmann::json::array();
      for (const auto& e : v.items) arr.push_back(value_to_json(e));
      return arr;
    }
    case Value::Kind::kStruct: {
      auto obj = nlohmann::json::object();
      for (std::size_t k = 0; k < v.items.size() && k < v.names.size(); ++k) {
        obj[v.names[k]] = value_to_json(v.items[k]);
      }
      return obj;
    }
    case Value::Kind::kMap: {
      auto obj = nlohmann::json::object();
      for (std::size_t k = 0; k + 1 < v.items.size(); k += 2) {
        obj[v.items[k].s] = value_to_json(v.items[k + 1]);
      }
      return obj;
    }
  }
  return nullptr;
}

}  // namespace

Result<std::vector<std::string>> delta_live_files(const std::string& table_dir) {
  const fs::path log_dir = fs::path(table_dir) / "_delta_log";
  std::error_code ec;
  std::map<std::int64_t, fs::path> commits;
  std::map<std::int64_t, std::vector<fs::path>> checkpoints;
  for (fs::directory_iterator it(log_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::int64_t version;
    if (!parse_version(name, version)) continue;
    if (name.size() == 25 && name.substr(20) == ".json") {
      commits[version] = it->path();
    } else if (name.find(".checkpoint") == 20 && name.size() > 28 &&
               name.substr(name.size() - 8) == ".parquet") {
      checkpoints[version].push_back(it->path());
    }
  }
  if (ec) return make_error(dbk::error_codes::kIoError, log_dir.string() + ": " + ec.message());
  LogState state;
  std::int64_t start = -1;
  if (!checkpoints.empty()) {
    // Newest checkpoint whose parts are all present (multi-part names carry ".NNN.MMM.parquet").
    auto& [version, parts] = *checkpoints.rbegin();
    std::sort(parts.begin(), parts.end());
    ParquetReadOptions opts;
    for (const auto& part : parts) {
      auto header = read_parquet_file(part.string(), {});
      if (!header.ok()) return std::move(header).error();
      for (const char* col : {"metaData", "add", "remove"}) {
        const Column* c = header->find(col);
        if (c == nullptr) continue;
        for (std::size_t r = 0; r < c->size(); ++r) {
          if (c->is_null(r)) continue;
          nlohmann::json action;
          action[col] = value_to_json(c->value(r));
          apply_action(action, state);
        }
      }
    }
    start = version;
  }
  if (commits.empty() && start < 0) return corrupt(log_dir.string(), "no commits");
  std::int64_t expected = start + 1;
  for (const auto& [version, path] : commits) {
    if (version <= start) continue;
    if (version != expected) {
      return corrupt(log_dir.string(), "commit " + std::to_string(expected) + " is missing");
    }
    ++expected;
    std::ifstream in(path);
    std::string line;
    std::size_t line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.empty()) continue;
      auto action = nlohmann::json::parse(line, nullptr, false);
      if (action.is_discarded()) {
        return corrupt(path.string(), "line " + std::to_string(line_no) + " is not JSON");
      }
      apply_action(action, state);
    }
  }
  if (!state.unsupported.empty()) {
    return make_error(error_codes::kDeltaUnsupported,
                      table_dir + ": Delta table uses " + state.unsupported);
  }
  std::vector<std::pair<std::size_t, std::string>> ordered;
  for (const auto& [path, order] : state.live) ordered.emplace_back(order, path);
  std::sort(ordered.begin(), ordered.end());
  std::vector<std::string> files;
  for (auto& [order, path] : ordered) {
    if (path.find("://") != std::string::npos || (!path.empty() && path[0] == '/')) {
      return make_error(error_codes::kDeltaUnsupported,
                        table_dir + ": absolute data file path '" + path + "'");
    }
    files.push_back(path);
  }
  return files;
}

}  // namespace dbk::scorer
