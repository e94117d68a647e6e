#include "dbk/scorer/table.hpp"

#include <cmath>

namespace dbk::scorer {

const Value* Value::field(const std::string& name) const {
  if (kind != Kind::kStruct) return nullptr;
  for (std::size_t k = 0; k < names.size() && k < items.size(); ++k) {
    if (names[k] == name) return &items[k];
  }
  return nullptr;
}

double Value::as_double() const {
  switch (kind) {
    case Kind::kBool:
    case Kind::kInt:
      return static_cast<double>(i);
    case Kind::kDouble:
      return d;
    default:
      return std::nan("");
  }
}

const char* column_type_name(ColumnType type) {
  switch (type) {
    case ColumnType::kBool:
      return "boolean";
    case ColumnType::kInt32:
      return "int";
    case ColumnType::kInt64:
      return "bigint";
    case ColumnType::kFloat:
      return "float";
    case ColumnType::kDouble:
      return "double";
    case ColumnType::kString:
      return "string";
    case ColumnType::kBinary:
      return "binary";
    case ColumnType::kDate:
      return "date";
    case ColumnType::kTimestamp:
      return "timestamp";
    case ColumnType::kDecimal:
      return "decimal";
    case ColumnType::kNested:
      return "nested";
  }
  return "?";
}

double Column::number(std::size_t row) const {
  switch (type) {
    case ColumnType::kFloat:
    case ColumnType::kDouble:
    case ColumnType::kDecimal:
      return doubles[row];
    case ColumnType::kBool:
    case ColumnType::kInt32:
    case ColumnType::kInt64:
    case ColumnType::kDate:
    case ColumnType::kTimestamp:
      return static_cast<double>(ints[row]);
    case ColumnType::kNested:
      return nested[row].as_double();
    default:
      return std::nan("");
  }
}

Value Column::value(std::size_t row) const {
  Value v;
  if (is_null(row)) return v;
  switch (type) {
    case ColumnType::kBool:
      v.kind = Value::Kind::kBool;
      v.i = ints[row];
      break;
    case ColumnType::kInt32:
    case ColumnType::kInt64:
    case ColumnType::kDate:
    case ColumnType::kTimestamp:
      v.kind = Value::Kind::kInt;
      v.i = ints[row];
      break;
    case ColumnType::kFloat:
    case ColumnType::kDouble:
    case ColumnType::kDecimal:
      v.kind = Value::Kind::kDouble;
      v.d = doubles[row];
      break;
    case ColumnType::kString:
      v.kind = Value::Kind::kString;
      v.s = strings[row];
      break;
    case ColumnType::kBinary:
      v.kind = Value::Kind::kBinary;
      v.s = strings[row];
      break;
    case ColumnType::kNested:
      return nested[row];
  }
  return v;
}

void Column::append(const Column& other) {
  valid.insert(valid.end(), other.valid.begin(), other.valid.end());
  ints.insert(ints.end(), other.ints.begin(), other.ints.end());
  doubles.insert(doubles.end(), other.doubles.begin(), other.doubles.end());
  strings.insert(strings.end(), other.strings.begin(), other.strings.end());
  nested.insert(nested.end(), other.nested.begin(), other.nested.end());
}

const Column* Table::find(const std::string& name) const {
  for (const auto& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

Column* Table::find(const std::string& name) {
  for (auto& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace dbk::scorer
