#include "dbk/scorer/score.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "cell_text.hpp"
#include "dbk/internal/text.hpp"
#include "dbk/transfer.hpp"
#include "ml/stages.hpp"
#include "result_writer.hpp"

namespace dbk::scorer {

const ScoredColumn* ScoreResult::find(const std::string& name) const {
  for (const auto& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<std::string> infer_feature_columns(const Table& input,
                                               const std::vector<std::string>& exclude) {
  std::vector<std::string> out;
  for (const auto& c : input.columns) {
    if (std::find(exclude.begin(), exclude.end(), c.name) != exclude.end()) continue;
    switch (c.type) {
      case ColumnType::kBool:
      case ColumnType::kInt32:
      case ColumnType::kInt64:
      case ColumnType::kFloat:
      case ColumnType::kDouble:
      case ColumnType::kDecimal:
        out.push_back(c.name);
        break;
      default:
        break;
    }
  }
  return out;
}

namespace {

template <typename T>
void keep_rows(std::vector<T>& v, const std::vector<std::size_t>& rows, std::size_t width) {
  if (v.empty()) return;
  std::vector<T> out;
  out.reserve(rows.size() * width);
  for (std::size_t r : rows) {
    for (std::size_t k = 0; k < width; ++k) out.push_back(std::move(v[r * width + k]));
  }
  v.swap(out);
}

}  // namespace

Result<ScoreResult> score_table(const PipelineModel& model, const Table& input,
                                const ScoreOptions& options) {
  const auto lanes = options.spark_vector_lanes;
  if (lanes != 2 && lanes != 4 && lanes != 8) {
    return make_error(dbk::error_codes::kInvalidArgument,
                      "spark_vector_lanes must be 2, 4 or 8, not " + std::to_string(lanes));
  }
  detail::Frame frame(input, options);
  if (!options.assemble_columns.empty()) {
    auto assembler = detail::make_vector_assembler(
        options.assemble_columns, options.assemble_output, options.assemble_handle_invalid, true);
    if (auto st = assembler->transform(frame); !st.ok()) return std::move(st).error();
  }
  for (std::size_t s = 0; s < model.impl().size(); ++s) {
    if (auto st = model.impl()[s]->transform(frame); !st.ok()) return std::move(st).error();
  }
  ScoreResult result;
  result.num_input_rows = input.num_rows;
  for (std::size_t r = 0; r < frame.rows(); ++r) {
    if (frame.alive()[r]) result.source_rows.push_back(r);
  }
  const bool all_rows = result.source_rows.size() == input.num_rows;
  for (const auto& c : input.columns) {
    bool wanted = options.keep_columns.empty()
                      ? c.type != ColumnType::kNested
                      : std::find(options.keep_columns.begin(), options.keep_columns.end(),
                                  c.name) != options.keep_columns.end();
    if (!wanted) continue;
    Column copy = c;
    if (!all_rows) {
      keep_rows(copy.valid, result.source_rows, 1);
      keep_rows(copy.ints, result.source_rows, 1);
      keep_rows(copy.doubles, result.source_rows, 1);
      keep_rows(copy.strings, result.source_rows, 1);
      keep_rows(copy.nested, result.source_rows, 1);
    }
    result.passthrough.columns.push_back(std::move(copy));
  }
  for (const auto& name : options.keep_columns) {
    if (input.find(name) == nullptr) {
      return make_error(error_codes::kColumnNotFound, "no input column '" + name + "' to keep");
    }
  }
  result.passthrough.num_rows = result.source_rows.size();
  for (auto& c : frame.outputs()) {
    ScoredColumn out = std::move(c);
    if (!all_rows) {
      keep_rows(out.valid, result.source_rows, 1);
      keep_rows(out.sparse, result.source_rows, 1);
      keep_rows(out.strings, result.source_rows, 1);
      keep_rows(out.string_lists, result.source_rows, 1);
      const std::size_t per_row = out.kind == ScoredColumn::Kind::kVector ? out.width
                                  : out.kind == ScoredColumn::Kind::kVectorList
                                      ? out.width * out.list_size
                                      : 1;
      keep_rows(out.numbers, result.source_rows, per_row);
    }
    result.columns.push_back(std::move(out));
  }
  return result;
}

using detail::cell_text;
using detail::format_double;

namespace {

// In CSV and JSON lines vectors are JSON arrays (quoted in CSV) and doubles are printed with 17
// significant digits (round-trip exact); non-finite doubles are JSON strings.
std::string json_number(double v) {
  return std::isfinite(v) ? format_double(v) : "\"" + format_double(v) + "\"";
}

std::string json_string(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A list of strings as Spark's to_json writes array<string>: ["a",null,"b"].
template <class Items, class Get>
std::string json_string_list(const Items& items, Get get) {
  std::string out = "[";
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (k) out += ",";
    const std::string* s = get(items[k]);
    out += s == nullptr ? "null" : json_string(*s);
  }
  return out + "]";
}

// Whether a nested input value is a list of strings (and nulls), written as one.
bool is_string_list(const Value& v) {
  if (v.kind != Value::Kind::kList) return false;
  for (const auto& e : v.items) {
    if (e.kind != Value::Kind::kString && e.kind != Value::Kind::kNull) return false;
  }
  return true;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

}  // namespace

Result<OutputFormat> output_format(const std::string& path) {
  const std::string lower = internal::ascii_lower(path);
  auto ends = [&](std::string_view ext) { return internal::ends_with(lower, ext); };
  if (ends(".csv")) return OutputFormat::kCsv;
  if (ends(".jsonl") || ends(".json")) return OutputFormat::kJsonLines;
  if (ends(".parquet")) return OutputFormat::kParquet;
  return make_error(
      dbk::error_codes::kInvalidArgument,
      "cannot tell the output format of " + path + " (use a .csv, .jsonl or .parquet file name)");
}

namespace detail {

std::string text_header(const ScoreResult& result, bool csv) {
  if (!csv) return {};
  std::string out;
  std::size_t k = 0;
  for (const auto& c : result.passthrough.columns) out += (k++ ? "," : "") + csv_field(c.name);
  for (const auto& c : result.columns) out += (k++ ? "," : "") + csv_field(c.name);
  return out + "\n";
}

void append_text_rows(const ScoreResult& result, bool csv, std::string& out) {
  std::vector<std::string> names;
  for (const auto& c : result.passthrough.columns) names.push_back(c.name);
  for (const auto& c : result.columns) names.push_back(c.name);
  std::vector<std::string> cells;
  for (std::size_t r = 0; r < result.num_rows(); ++r) {
    cells.clear();
    for (const auto& c : result.passthrough.columns) {
      if (c.is_null(r)) {
        cells.push_back(csv ? "" : "null");
      } else if (c.type == ColumnType::kNested && is_string_list(c.nested[r])) {
        const std::string list = json_string_list(c.nested[r].items, [](const Value& e) {
          return e.kind == Value::Kind::kString ? &e.s : nullptr;
        });
        cells.push_back(csv ? csv_field(list) : list);
      } else if (c.type == ColumnType::kNested) {
        cells.push_back(csv ? csv_field("<nested>") : "null");
      } else {
        std::string t = cell_text(c, r);
        bool numeric = c.type == ColumnType::kInt32 || c.type == ColumnType::kInt64 ||
                       c.type == ColumnType::kDouble || c.type == ColumnType::kFloat ||
                       c.type == ColumnType::kBool;
        if (csv)
          cells.push_back(csv_field(t));
        else if ((c.type == ColumnType::kDouble || c.type == ColumnType::kFloat))
          cells.push_back(json_number(c.doubles[r]));
        else
          cells.push_back(numeric ? t : json_string(t));
      }
    }
    for (const auto& c : result.columns) {
      if (!c.valid[r]) {
        cells.push_back(csv ? "" : "null");
        continue;
      }
      switch (c.kind) {
        case ScoredColumn::Kind::kDouble:
          if (c.integer) {
            cells.push_back(std::to_string(static_cast<std::int64_t>(c.numbers[r])));
          } else {
            cells.push_back(csv ? format_double(c.numbers[r]) : json_number(c.numbers[r]));
          }
          break;
        case ScoredColumn::Kind::kString:
          cells.push_back(csv ? csv_field(c.strings[r]) : json_string(c.strings[r]));
          break;
        case ScoredColumn::Kind::kVector: {
          std::string v = "[";
          for (std::size_t k = 0; k < c.width; ++k)
            v += (k ? "," : "") + json_number(c.vector(r)[k]);
          v += "]";
          cells.push_back(csv ? csv_field(v) : v);
          break;
        }
        case ScoredColumn::Kind::kVectorList: {
          // As Spark's to_json writes array<vector>: each vector as its struct, dense here.
          std::string v = "[";
          const double* row = c.numbers.data() + r * c.width * c.list_size;
          for (std::size_t i = 0; i < c.list_size; ++i) {
            v += i ? ",{\"type\":1,\"values\":[" : "{\"type\":1,\"values\":[";
            for (std::size_t k = 0; k < c.width; ++k)
              v += (k ? "," : "") + json_number(row[i * c.width + k]);
            v += "]}";
          }
          v += "]";
          cells.push_back(csv ? csv_field(v) : v);
          break;
        }
        case ScoredColumn::Kind::kStringList: {
          const std::string list = json_string_list(
              c.string_lists[r],
              [](const std::optional<std::string>& e) { return e ? &*e : nullptr; });
          cells.push_back(csv ? csv_field(list) : list);
          break;
        }
      }
    }
    if (csv) {
      for (std::size_t k = 0; k < cells.size(); ++k) {
        out += (k ? "," : "");
        out += cells[k];
      }
    } else {
      out += "{";
      for (std::size_t k = 0; k < cells.size(); ++k) {
        out += (k ? "," : "");
        out += json_string(names[k]);
        out += ":";
        out += cells[k];
      }
      out += "}";
    }
    out += "\n";
  }
}

}  // namespace detail

}  // namespace dbk::scorer
