// Live files of a Delta table from `_delta_log/` (docs/reference/spark-models.md §4.10):
// start from the newest complete checkpoint found by listing the log (classic single file,
// multi-part, or V2 with sidecar files), then replay the JSON commits after it. Features that
// change what a file's rows mean (deletion vectors, column mapping, reader features this code
// does not know) are refused instead of being read wrongly.

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dbk/json.hpp"
#include "dbk/scorer/dataset.hpp"

namespace dbk::scorer {
namespace fs = std::filesystem;

namespace {

// A relative path (already URL-decoded) that names something below its folder: no '.' or
// '..' segment, no NUL, not empty. A log is input like any other: an `add` of
// "../../etc/hostname" must not read outside the table.
bool stays_below(const std::string& path) {
  if (path.empty() || path.find('\0') != std::string::npos) return false;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    const std::string segment = path.substr(start, slash - start);
    if (segment == "." || segment == "..") return false;
    start = slash + 1;
  }
  return true;
}

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
  // From the latest protocol action only: a protocol can be replaced (e.g. a feature dropped).
  std::string unsupported_protocol;
  std::vector<std::string> sidecars;  // V2 checkpoint: files under _delta_log/_sidecars/
};

// Reader features whose effect this reader handles: deletion vectors and column mapping are
// refused where they are actually used (per file / by mode), timestamp-without-time-zone
// columns read as plain micros, V2 checkpoints are read below, and vacuumProtocolCheck only
// constrains writers' VACUUM. Anything else may change what the files mean.
bool known_reader_feature(const std::string& name) {
  return name == "deletionVectors" || name == "columnMapping" || name == "timestampNtz" ||
         name == "v2Checkpoint" || name == "vacuumProtocolCheck";
}

void check_protocol(const nlohmann::json& protocol, LogState& state) {
  if (!protocol.is_object()) return;
  state.unsupported_protocol.clear();
  auto version = protocol.find("minReaderVersion");
  if (version != protocol.end() && version->is_number_integer() && version->get<int>() > 3) {
    state.unsupported_protocol = "reader version " + std::to_string(version->get<int>());
  }
  auto features = protocol.find("readerFeatures");
  if (features == protocol.end() || !features->is_array()) return;
  for (const auto& f : *features) {
    if (f.is_string() && !known_reader_feature(f.get<std::string>())) {
      state.unsupported_protocol = "reader feature '" + f.get<std::string>() + "'";
    }
  }
}

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
  if (auto p = action.find("protocol"); p != action.end()) check_protocol(*p, state);
  if (auto sc = action.find("sidecar"); sc != action.end() && sc->is_object()) {
    auto path = sc->find("path");
    if (path != sc->end() && path->is_string()) {
      state.sidecars.push_back(url_decode(path->get<std::string>()));
    }
  }
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

bool all_digits(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// The checkpoint files of one version, by the three naming schemes of the Delta protocol:
// classic "<v>.checkpoint.parquet", multi-part "<v>.checkpoint.<part>.<parts>.parquet" (10
// digits each) and V2 "<v>.checkpoint.<uuid>.json|parquet".
struct CheckpointFiles {
  std::vector<fs::path> classic;
  std::map<std::int64_t, std::map<std::int64_t, fs::path>> multipart;  // parts → part → file
  std::vector<fs::path> v2;

  // Files making up one whole checkpoint (empty if none is complete: a writer may have died
  // between parts, and such a checkpoint must be skipped for an older one).
  std::vector<fs::path> complete() const {
    if (!classic.empty()) return {classic.front()};
    if (!v2.empty()) return {*std::min_element(v2.begin(), v2.end())};
    for (auto it = multipart.rbegin(); it != multipart.rend(); ++it) {
      const auto& [parts, files] = *it;
      if (static_cast<std::int64_t>(files.size()) != parts) continue;
      if (files.begin()->first != 1 || files.rbegin()->first != parts) continue;
      std::vector<fs::path> out;
      for (const auto& [part, file] : files) out.push_back(file);
      return out;
    }
    return {};
  }
};

// Adds a "<v>.checkpoint…" log file name to `into`; false if it is none of the three forms.
bool add_checkpoint_name(const fs::path& path, CheckpointFiles& into) {
  const std::string name = path.filename().string();
  const std::string tag = ".checkpoint.";
  if (name.compare(20, tag.size(), tag) != 0) return false;
  const std::string rest = name.substr(20 + tag.size());  // after "<v>.checkpoint."
  if (rest == "parquet") {
    into.classic.push_back(path);
    return true;
  }
  if (rest.size() == 10 + 1 + 10 + 8 && rest.compare(21, 8, ".parquet") == 0 && rest[10] == '.' &&
      all_digits(rest.substr(0, 10)) && all_digits(rest.substr(11, 10))) {
    const std::int64_t part = std::stoll(rest.substr(0, 10));
    const std::int64_t parts = std::stoll(rest.substr(11, 10));
    if (part < 1 || part > parts) return false;
    into.multipart[parts][part] = path;
    return true;
  }
  auto dot = rest.rfind('.');
  if (dot == std::string::npos || dot == 0) return false;
  const std::string ext = rest.substr(dot);
  if (ext != ".json" && ext != ".parquet") return false;
  into.v2.push_back(path);
  return true;
}

// Applies the actions of a JSON-lines file: a commit, or a V2 checkpoint in JSON form.
Status apply_json_file(const fs::path& path, LogState& state) {
  std::ifstream in(path);
  if (!in) {
    return make_error(dbk::error_codes::kIoError, path.string() + ": cannot open the log file");
  }
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    auto action = dbk::parse_json(line);  // depth-limited: a log is untrusted input
    if (!action.ok()) {
      return corrupt(path.string(), "line " + std::to_string(line_no) + " is not JSON (" +
                                        action.error().message + ")");
    }
    apply_action(*action, state);
  }
  return {};
}

// Applies the actions of a Parquet checkpoint, checkpoint part or sidecar: one action per row,
// in the column named after the action (the others are null in that row).
Status apply_parquet_file(const fs::path& path, LogState& state) {
  auto table = read_parquet_file(path.string(), {});
  if (!table.ok()) return std::move(table).error();
  for (const char* col : {"protocol", "metaData", "add", "remove", "sidecar"}) {
    const Column* c = table->find(col);
    if (c == nullptr) continue;
    for (std::size_t r = 0; r < c->size(); ++r) {
      if (c->is_null(r)) continue;
      nlohmann::json action;
      action[col] = value_to_json(c->value(r));
      apply_action(action, state);
    }
  }
  return {};
}

Status apply_checkpoint(const fs::path& log_dir, const std::vector<fs::path>& files,
                        LogState& state) {
  for (const auto& file : files) {
    const bool json = file.extension() == ".json";
    auto st = json ? apply_json_file(file, state) : apply_parquet_file(file, state);
    if (!st.ok()) return st;
  }
  // A V2 checkpoint keeps its add/remove actions in sidecar files (paths relative to
  // _delta_log/_sidecars/), named by its `sidecar` actions.
  std::vector<std::string> sidecars = std::move(state.sidecars);
  state.sidecars.clear();
  for (const auto& sidecar : sidecars) {
    if (sidecar.find("://") != std::string::npos || (!sidecar.empty() && sidecar[0] == '/')) {
      state.unsupported = "absolute sidecar path '" + sidecar + "'";
      return {};
    }
    if (!stays_below(sidecar)) {
      return corrupt(log_dir.string(),
                     "sidecar path '" + sidecar + "' leaves the _sidecars folder");
    }
    auto st = apply_parquet_file(log_dir / "_sidecars" / sidecar, state);
    if (!st.ok()) return st;
  }
  return {};
}

}  // namespace

Result<std::vector<std::string>> delta_live_files(const std::string& table_dir) {
  const fs::path log_dir = fs::path(table_dir) / "_delta_log";
  std::error_code ec;
  std::map<std::int64_t, fs::path> commits;
  std::map<std::int64_t, CheckpointFiles> checkpoints;
  for (fs::directory_iterator it(log_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::int64_t version;
    if (!parse_version(name, version)) continue;
    if (name.size() == 25 && name.substr(20) == ".json") {
      commits[version] = it->path();
    } else {
      add_checkpoint_name(it->path(), checkpoints[version]);
    }
  }
  if (ec) return make_error(dbk::error_codes::kIoError, log_dir.string() + ": " + ec.message());
  LogState state;
  std::int64_t start = -1;
  // The newest complete checkpoint; `_last_checkpoint` is only a hint for writers that cannot
  // list cheaply, and a listing also sees checkpoints newer than the hint.
  for (auto it = checkpoints.rbegin(); it != checkpoints.rend() && start < 0; ++it) {
    auto files = it->second.complete();
    if (files.empty()) continue;
    auto st = apply_checkpoint(log_dir, files, state);
    if (!st.ok()) return std::move(st).error();
    start = it->first;
  }
  if (commits.empty() && start < 0) return corrupt(log_dir.string(), "no commits");
  std::int64_t expected = start + 1;
  for (const auto& [version, path] : commits) {
    if (version <= start) continue;
    if (version != expected) {
      return corrupt(log_dir.string(), "commit " + std::to_string(expected) + " is missing");
    }
    ++expected;
    auto st = apply_json_file(path, state);
    if (!st.ok()) return std::move(st).error();
  }
  if (state.unsupported.empty()) state.unsupported = state.unsupported_protocol;
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
    if (!stays_below(path)) {
      return corrupt(table_dir, "data file path '" + path + "' leaves the table folder");
    }
    files.push_back(path);
  }
  return files;
}

}  // namespace dbk::scorer
