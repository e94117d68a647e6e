// Lists of strings in the frame (Spark array<string>): the text stages' outputs, or an input
// column read from Parquet as a LIST of UTF8 (three-level or legacy two-level, which the reader
// turns into a nested list value). A null list is a null row; a null element stays null.

#include "ml/text_lists.hpp"

namespace dbk::scorer::detail {

const ScoredColumn* Frame::find_converted(const std::string& name, ScoredColumn::Kind kind) const {
  for (const auto& c : converted_) {
    if (c->name == name && c->kind == kind) return c.get();
  }
  return nullptr;
}

Result<const ScoredColumn*> Frame::string_lists(const std::string& name) {
  if (const ScoredColumn* c = find_output(name)) {
    if (c->kind != ScoredColumn::Kind::kStringList) {
      return make_error(error_codes::kInvalidData,
                        "column '" + name + "' is not a list of strings");
    }
    return c;
  }
  if (const ScoredColumn* c = find_converted(name, ScoredColumn::Kind::kStringList)) return c;
  const Column* in = input_.find(name);
  if (in == nullptr) {
    return make_error(error_codes::kColumnNotFound, "no input column '" + name + "'");
  }
  auto not_strings = [&](std::size_t r) {
    return make_error(error_codes::kInvalidData,
                      "column '" + name + "' row " + std::to_string(r) +
                          " is not a list of strings (Spark array<string>)");
  };
  if (in->type != ColumnType::kNested) {
    return make_error(
        error_codes::kInvalidData,
        "column '" + name + "' is " + column_type_name(in->type) + ", not a list of strings");
  }
  auto col = std::make_unique<ScoredColumn>(new_string_list_column(name, rows_));
  for (std::size_t r = 0; r < rows_; ++r) {
    if (!in->valid[r] || in->nested[r].is_null()) continue;
    const Value& list = in->nested[r];
    if (list.kind != Value::Kind::kList) return not_strings(r);
    StringList& out = col->string_lists[r];
    out.reserve(list.items.size());
    for (const Value& e : list.items) {
      if (e.kind == Value::Kind::kNull) {
        out.emplace_back();
      } else if (e.kind == Value::Kind::kString) {
        out.emplace_back(e.s);
      } else {
        return not_strings(r);
      }
    }
    col->valid[r] = 1;
  }
  converted_.push_back(std::move(col));
  return converted_.back().get();
}

ScoredColumn new_string_list_column(const std::string& name, std::size_t rows) {
  ScoredColumn c;
  c.name = name;
  c.kind = ScoredColumn::Kind::kStringList;
  c.valid.assign(rows, 0);
  c.string_lists.resize(rows);
  return c;
}

Result<const ScoredColumn*> live_string_lists(Frame& frame, const std::string& stage,
                                              const std::string& input) {
  auto col = frame.string_lists(input);
  if (!col) return col;
  for (std::size_t r = 0; r < frame.rows(); ++r) {
    if (frame.alive()[r] && !(*col)->valid[r]) {
      return data_error(stage, "row " + std::to_string(r) + " of '" + input +
                                   "' is a null list (Spark fails on it)");
    }
  }
  return col;
}

}  // namespace dbk::scorer::detail
