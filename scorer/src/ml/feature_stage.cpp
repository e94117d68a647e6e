// Column helpers shared by the feature transformers (ml/feature_stage.hpp).

#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

std::vector<std::string> input_cols(const StageMeta& meta) {
  auto many = meta.strings_param("inputCols");
  if (!many.empty()) return many;
  std::string one = meta.string_param("inputCol", "");
  return one.empty() ? std::vector<std::string>{} : std::vector<std::string>{one};
}

std::vector<std::string> output_cols(const StageMeta& meta) {
  auto many = meta.strings_param("outputCols");
  if (!many.empty()) return many;
  std::string one = meta.string_param("outputCol", "");
  return one.empty() ? std::vector<std::string>{} : std::vector<std::string>{one};
}

ScoredColumn new_double_column(const std::string& name, std::size_t rows) {
  ScoredColumn c;
  c.name = name;
  c.kind = ScoredColumn::Kind::kDouble;
  c.numbers.assign(rows, 0.0);
  c.valid.assign(rows, 1);
  return c;
}

void mark_compressed(ScoredColumn& column) {
  const std::size_t rows = column.valid.size();
  column.sparse.assign(rows, 0);
  for (std::size_t r = 0; r < rows; ++r) {
    const double* v = column.vector(r);
    std::size_t nonzeros = 0;
    for (std::size_t k = 0; k < column.width; ++k) nonzeros += v[k] != 0.0 ? 1 : 0;
    column.sparse[r] =
        1.5 * (static_cast<double>(nonzeros) + 1.0) < static_cast<double>(column.width) ? 1 : 0;
  }
}

ScoredColumn new_vector_column(const std::string& name, std::size_t rows, std::size_t width) {
  ScoredColumn c;
  c.name = name;
  c.kind = ScoredColumn::Kind::kVector;
  c.width = width;
  c.numbers.assign(rows * width, 0.0);
  c.valid.assign(rows, 1);
  return c;
}

Status VectorMapStage::transform(Frame& frame) const {
  auto in = frame.vectors(input);
  if (!in.ok()) return std::move(in).error();
  const ScoredColumn& col = **in;
  if (frame.rows() > 0 && expected_width != 0 && col.width != expected_width) {
    return data_error(name, "vector size " + std::to_string(col.width) +
                                " does not match the model's " + std::to_string(expected_width));
  }
  if (frame.rows() > 0 && col.width < min_width) {
    return data_error(name, "vector size " + std::to_string(col.width) +
                                " is too small for the model, which reads element " +
                                std::to_string(min_width - 1));
  }
  const std::size_t width = output_width ? output_width(col.width) : col.width;
  auto out = new_vector_column(output, frame.rows(), width);
  out.valid = col.valid;
  for (std::size_t r = 0; r < frame.rows(); ++r) {
    if (!frame.alive()[r] || !col.valid[r]) continue;
    fn(col.vector(r), out.numbers.data() + r * width, col.width);
  }
  if (sparsity == Sparsity::kKeep) out.sparse = col.sparse;
  if (sparsity == Sparsity::kCompressed) mark_compressed(out);
  frame.add(std::move(out));
  return {};
}

Result<const ScoredColumn*> features_of(Frame& frame, const std::string& stage,
                                        const std::string& column, std::size_t width) {
  auto in = frame.vectors(column);
  if (!in.ok()) return std::move(in).error();
  if (frame.rows() > 0 && (*in)->width != width) {
    return data_error(stage, "features column '" + column + "' has size " +
                                 std::to_string((*in)->width) + ", the model expects " +
                                 std::to_string(width));
  }
  return *in;
}

Status read_linear_terms(const Table& data, const StageMeta& meta,
                         std::vector<double>& coefficients, double& intercept) {
  auto c = vector_field(data, "coefficients", meta);
  if (!c.ok()) return std::move(c).error();
  auto i = first_row(data, "intercept", meta);
  if (!i.ok()) return std::move(i).error();
  coefficients = std::move(*c);
  intercept = i->as_double();
  return {};
}

std::string stage_name(const StageMeta& meta) {
  auto dot = meta.class_name.rfind('.');
  return (dot == std::string::npos ? meta.class_name : meta.class_name.substr(dot + 1)) + " " +
         meta.uid;
}

Result<Value> first_row(const Table& t, const std::string& column, const StageMeta& meta) {
  const Column* c = t.find(column);
  if (c == nullptr || t.num_rows == 0 || c->is_null(0)) {
    return model_error(meta, "data has no '" + column + "' value");
  }
  return c->value(0);
}

Result<std::vector<double>> vector_field(const Table& t, const std::string& column,
                                         const StageMeta& meta) {
  auto v = first_row(t, column, meta);
  if (!v.ok()) return std::move(v).error();
  std::vector<double> out;
  if (!vector_from_value(*v, out)) return model_error(meta, "'" + column + "' is not a vector");
  return out;
}

}  // namespace dbk::scorer::detail
