#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <thread>

#include "dbk/json.hpp"
#include "ml/stage.hpp"

namespace dbk::scorer::detail {
namespace {

// Spark's ML attribute metadata ("ml_attr") as Spark writes it into a table's schema, e.g.
//   {"ml_attr": {"vals": ["red", "green"], "type": "nominal", "name": "color_idx"}}
//   {"ml_attr": {"attrs": {"numeric": [{"idx": 0, "name": "x"}], "binary": [...]},
//                "num_attrs": 3}}
// Default numeric attributes are left out of "attrs", so an element may have no entry.
// Metadata of any other shape (or not JSON, or nested too deeply) records nothing the scorer uses.
void read_ml_attributes(const std::string& metadata, std::optional<NominalAttribute>& nominal,
                        std::optional<VectorAttributes>& vector) {
  auto parsed = dbk::parse_json(metadata);
  if (!parsed.ok()) return;
  const nlohmann::json& json = *parsed;
  if (!json.is_object() || !json.contains("ml_attr") || !json["ml_attr"].is_object()) return;
  const auto& attr = json["ml_attr"];
  auto strings = [](const nlohmann::json& j, std::vector<std::string>& out) {
    if (!j.is_array()) return false;
    for (const auto& v : j) {
      if (!v.is_string()) return false;
      out.push_back(v.get<std::string>());
    }
    return true;
  };
  if (attr.contains("attrs")) {
    const auto count = attr.value("num_attrs", std::int64_t{-1});
    if (count < 0 || count > (std::int64_t{1} << 24) || !attr["attrs"].is_object()) return;
    VectorAttributes names{std::vector<std::string>(static_cast<std::size_t>(count)), {}};
    for (const auto& [type, list] : attr["attrs"].items()) {
      if (!list.is_array()) return;
      for (const auto& a : list) {
        if (!a.is_object()) return;
        const auto idx = a.value("idx", std::int64_t{-1});
        if (idx < 0 || idx >= count) return;
        if (a.contains("name") && a["name"].is_string()) {
          names.names[static_cast<std::size_t>(idx)] = a["name"].get<std::string>();
        }
        if (type != "nominal") continue;
        NominalAttribute element;
        if (a.contains("vals") && !strings(a["vals"], element.values)) return;
        element.size = element.values.size();
        if (element.values.empty()) {
          const auto values = a.value("num_vals", std::int64_t{-1});
          if (values < 0 || values > (std::int64_t{1} << 31)) return;
          element.size = static_cast<std::size_t>(values);
        }
        names.nominal.resize(names.names.size());
        names.nominal[static_cast<std::size_t>(idx)] = std::move(element);
      }
    }
    vector = std::move(names);
    return;
  }
  const std::string type = attr.contains("type") && attr["type"].is_string()
                               ? attr["type"].get<std::string>()
                               : "numeric";
  NominalAttribute out;
  if (attr.contains("vals") && !strings(attr["vals"], out.values)) return;
  if (type == "binary") {
    out.size = 2;
    out.binary = true;
  } else if (type == "nominal") {
    out.size = out.values.size();
    if (out.values.empty()) {
      const auto count = attr.value("num_vals", std::int64_t{-1});
      if (count < 0 || count > (std::int64_t{1} << 31)) return;
      out.size = static_cast<std::size_t>(count);
    }
  } else {
    return;
  }
  nominal = std::move(out);
}

}  // namespace

Frame::Frame(const Table& input, const ScoreOptions& options)
    : input_(input),
      rows_(input.num_rows),
      alive_(input.num_rows, 1),
      threads_(options.threads == 0 ? std::max(1u, std::thread::hardware_concurrency())
                                    : options.threads),
      block_rows_(options.block_rows == 0 ? ScoreOptions{}.block_rows : options.block_rows),
      binned_trees_(options.binned_trees),
      spark_vector_lanes_(options.spark_vector_lanes) {
  for (const Column& column : input.columns) {
    if (column.metadata.empty()) continue;
    std::optional<NominalAttribute> nominal;
    std::optional<VectorAttributes> vector;
    read_ml_attributes(column.metadata, nominal, vector);
    if (nominal) nominals_[column.name] = std::move(*nominal);
    if (vector) vector_attributes_[column.name] = std::move(*vector);
  }
}

const ScoredColumn* Frame::find_output(const std::string& name) const {
  for (auto it = outputs_.rbegin(); it != outputs_.rend(); ++it) {
    if (it->name == name) return &*it;
  }
  return nullptr;
}

bool Frame::has(const std::string& name) const {
  return find_output(name) != nullptr || input_.find(name) != nullptr;
}

bool Frame::is_vector(const std::string& name) const {
  if (const ScoredColumn* c = find_output(name)) return c->kind == ScoredColumn::Kind::kVector;
  const Column* in = input_.find(name);
  return in != nullptr && in->type == ColumnType::kNested;
}

void Frame::add(ScoredColumn column) {
  nominals_.erase(column.name);
  vector_attributes_.erase(column.name);
  for (auto& c : outputs_) {
    if (c.name == column.name) {
      c = std::move(column);
      return;
    }
  }
  outputs_.push_back(std::move(column));
}

void Frame::set_nominal(const std::string& name, NominalAttribute attribute) {
  nominals_[name] = std::move(attribute);
}

const NominalAttribute* Frame::nominal(const std::string& name) const {
  auto it = nominals_.find(name);
  return it == nominals_.end() ? nullptr : &it->second;
}

void Frame::set_vector_attributes(const std::string& name, VectorAttributes attributes) {
  vector_attributes_[name] = std::move(attributes);
}

const VectorAttributes* Frame::vector_attributes(const std::string& name) const {
  auto it = vector_attributes_.find(name);
  return it == vector_attributes_.end() ? nullptr : &it->second;
}

Result<const ScoredColumn*> Frame::numeric(const std::string& name) {
  if (const ScoredColumn* c = find_output(name)) {
    if (c->kind != ScoredColumn::Kind::kDouble) {
      return make_error(error_codes::kInvalidData, "column '" + name + "' is not numeric");
    }
    return c;
  }
  for (const auto& c : converted_) {
    if (c->name == name && c->kind == ScoredColumn::Kind::kDouble) return c.get();
  }
  const Column* in = input_.find(name);
  if (in == nullptr)
    return make_error(error_codes::kColumnNotFound, "no input column '" + name + "'");
  if (in->type == ColumnType::kString || in->type == ColumnType::kBinary ||
      in->type == ColumnType::kNested) {
    return make_error(error_codes::kInvalidData,
                      "column '" + name + "' is " + column_type_name(in->type) + ", not numeric");
  }
  auto col = std::make_unique<ScoredColumn>();
  col->name = name;
  col->kind = ScoredColumn::Kind::kDouble;
  col->valid = in->valid;
  if (in->type == ColumnType::kDouble || in->type == ColumnType::kFloat ||
      in->type == ColumnType::kDecimal) {
    col->numbers = in->doubles;
    col->numbers.resize(rows_);
    for (std::size_t r = 0; r < rows_; ++r) {
      if (!in->valid[r]) col->numbers[r] = 0.0;
    }
  } else {
    col->numbers.resize(rows_);
    for (std::size_t r = 0; r < rows_; ++r) col->numbers[r] = in->valid[r] ? in->number(r) : 0.0;
  }
  converted_.push_back(std::move(col));
  return converted_.back().get();
}

Result<const ScoredColumn*> Frame::strings(const std::string& name) {
  for (const auto& c : converted_) {
    if (c->name == name && c->kind == ScoredColumn::Kind::kString) return c.get();
  }
  auto col = std::make_unique<ScoredColumn>();
  col->name = name;
  col->kind = ScoredColumn::Kind::kString;
  col->strings.resize(rows_);
  const ScoredColumn* out = find_output(name);
  const Column* in = out == nullptr ? input_.find(name) : nullptr;
  if (out != nullptr) {
    if (out->kind == ScoredColumn::Kind::kString) return out;
    if (out->kind != ScoredColumn::Kind::kDouble) {
      return make_error(error_codes::kInvalidData,
                        "column '" + name + "' is a vector, not a string");
    }
    col->valid = out->valid;
    for (std::size_t r = 0; r < rows_; ++r) {
      if (!out->valid[r]) continue;
      col->strings[r] = out->integer ? std::to_string(static_cast<std::int64_t>(out->numbers[r]))
                                     : java_double_string(out->numbers[r]);
    }
  } else if (in != nullptr) {
    col->valid = in->valid;
    for (std::size_t r = 0; r < rows_; ++r) {
      if (!in->valid[r]) continue;
      switch (in->type) {
        case ColumnType::kString:
        case ColumnType::kBinary:
          col->strings[r] = in->strings[r];
          break;
        case ColumnType::kBool:
          col->strings[r] = in->ints[r] ? "true" : "false";
          break;
        case ColumnType::kInt32:
        case ColumnType::kInt64:
          col->strings[r] = std::to_string(in->ints[r]);
          break;
        // Spark casts a float with Float.toString: "0.1", not the widened double's digits.
        case ColumnType::kFloat:
          col->strings[r] = java_float_string(static_cast<float>(in->doubles[r]));
          break;
        case ColumnType::kDouble:
          col->strings[r] = java_double_string(in->doubles[r]);
          break;
        case ColumnType::kDecimal:
          col->strings[r] = in->strings[r];
          break;
        default:
          return make_error(error_codes::kInvalidData, "column '" + name + "' of type " +
                                                           column_type_name(in->type) +
                                                           " cannot be indexed as strings");
      }
    }
  } else {
    return make_error(error_codes::kColumnNotFound, "no input column '" + name + "'");
  }
  converted_.push_back(std::move(col));
  return converted_.back().get();
}

Result<const ScoredColumn*> Frame::vectors(const std::string& name) {
  if (const ScoredColumn* c = find_output(name)) {
    if (c->kind != ScoredColumn::Kind::kVector) {
      return make_error(error_codes::kInvalidData, "column '" + name + "' is not a vector");
    }
    return c;
  }
  for (const auto& c : converted_) {
    if (c->name == name && c->kind == ScoredColumn::Kind::kVector) return c.get();
  }
  const Column* in = input_.find(name);
  if (in == nullptr)
    return make_error(error_codes::kColumnNotFound, "no input column '" + name + "'");
  if (in->type != ColumnType::kNested) {
    return make_error(error_codes::kInvalidData,
                      "column '" + name + "' is " + column_type_name(in->type) + ", not a vector");
  }
  auto col = std::make_unique<ScoredColumn>();
  col->name = name;
  col->kind = ScoredColumn::Kind::kVector;
  col->valid.assign(rows_, 0);
  std::vector<double> values;
  bool width_known = false;
  for (std::size_t r = 0; r < rows_; ++r) {
    if (!in->valid[r]) continue;
    if (!vector_from_value(in->nested[r], values)) {
      return make_error(error_codes::kInvalidData,
                        "column '" + name + "' row " + std::to_string(r) + " is not a vector");
    }
    if (!width_known) {
      col->width = values.size();
      col->numbers.assign(rows_ * col->width, 0.0);
      width_known = true;
    } else if (values.size() != col->width) {
      return make_error(error_codes::kInvalidData, "column '" + name + "' mixes vector sizes " +
                                                       std::to_string(col->width) + " and " +
                                                       std::to_string(values.size()));
    }
    std::copy(values.begin(), values.end(),
              col->numbers.begin() + static_cast<std::ptrdiff_t>(r * col->width));
    col->valid[r] = 1;
    // A Spark ML vector struct says whether Spark held it sparse (type 0) or dense (1).
    const Value* type = in->nested[r].field("type");
    if (type != nullptr && type->kind == Value::Kind::kInt && type->i == 0) {
      if (col->sparse.empty()) col->sparse.assign(rows_, 0);
      col->sparse[r] = 1;
    }
  }
  converted_.push_back(std::move(col));
  return converted_.back().get();
}

void parallel_blocks(std::size_t rows, std::size_t block, unsigned threads,
                     const std::function<void(std::size_t, std::size_t)>& fn) {
  if (rows == 0) return;
  // Every thread gets about four blocks so an uneven last block does not leave one idle, but
  // blocks stay large enough to amortise reading each tree.
  constexpr std::size_t kMinAdaptedBlock = 1024;
  if (threads > 1) {
    const std::size_t quarter_share = (rows + threads * 4 - 1) / (threads * 4);
    block = std::min(block, std::max(kMinAdaptedBlock, quarter_share));
  }
  const std::size_t blocks = (rows + block - 1) / block;
  const unsigned workers = static_cast<unsigned>(std::min<std::size_t>(threads, blocks));
  if (workers <= 1) {
    for (std::size_t b = 0; b < blocks; ++b) fn(b * block, std::min(rows, (b + 1) * block));
    return;
  }
  // Each block writes its own rows, so output order is the input order whatever thread runs it.
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < workers; ++t) {
    pool.emplace_back([&] {
      for (std::size_t b = next++; b < blocks; b = next++) {
        fn(b * block, std::min(rows, (b + 1) * block));
      }
    });
  }
  for (auto& th : pool) th.join();
}

namespace {

// Java's Double.toString / Float.toString layout of the shortest digits that `round_trips`
// reads back as the same value: plain for 1e-3 <= |v| < 1e7, computerized scientific ("1.0E7")
// otherwise.
template <class RoundTrips>
std::string java_number_string(double v, RoundTrips round_trips) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  int precision = 0;
  for (precision = 0; precision < 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision, v);
    if (round_trips(buf)) break;
  }
  std::string s(buf);
  bool negative = s[0] == '-';
  if (negative) s.erase(0, 1);
  auto e_pos = s.find('e');
  int exponent = std::stoi(s.substr(e_pos + 1));
  std::string digits = s.substr(0, e_pos);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out;
  double mag = std::fabs(v);
  if (mag >= 1e-3 && mag < 1e7) {
    if (exponent >= 0) {
      std::string int_part = digits.substr(
          0, std::min<std::size_t>(digits.size(), static_cast<std::size_t>(exponent) + 1));
      while (int_part.size() < static_cast<std::size_t>(exponent) + 1) int_part += '0';
      std::string frac = digits.size() > static_cast<std::size_t>(exponent) + 1
                             ? digits.substr(static_cast<std::size_t>(exponent) + 1)
                             : "0";
      out = int_part + "." + frac;
    } else {
      out = "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    }
  } else {
    out = digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" +
          std::to_string(exponent);
  }
  return negative ? "-" + out : out;
}

}  // namespace

std::string java_double_string(double v) {
  return java_number_string(v, [v](const char* s) { return std::strtod(s, nullptr) == v; });
}

std::string java_float_string(float v) {
  return java_number_string(v, [v](const char* s) { return std::strtof(s, nullptr) == v; });
}

}  // namespace dbk::scorer::detail
