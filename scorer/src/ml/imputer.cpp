// ImputerModel: missing values replaced by the surrogate the model learned.

#include <cmath>

#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

namespace {

class ImputerStage : public ColumnsStage {
 public:
  std::vector<double> surrogates;
  double missing = std::nan("");

  Status transform(Frame& frame) const override {
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      auto in = frame.numeric(inputs[i]);
      if (!in.ok()) return std::move(in).error();
      const Column* src = frame.input_column(inputs[i]);
      // Spark casts the output back to the input's type: integers truncate the surrogate, a
      // float column rounds it to float.
      const bool integral =
          src != nullptr && (src->type == ColumnType::kInt32 || src->type == ColumnType::kInt64);
      const bool single = src != nullptr && src->type == ColumnType::kFloat;
      auto out = new_double_column(outputs[i], frame.rows());
      for (std::size_t r = 0; r < frame.rows(); ++r) {
        double v = (*in)->numbers[r];
        // Spark SQL's `===` treats NaN as equal to NaN, so NaN works as missingValue.
        bool replace = !(*in)->valid[r] || v == missing || (std::isnan(missing) && std::isnan(v));
        double x = replace ? surrogates[i] : v;
        if (integral) x = std::trunc(x);
        if (single) x = static_cast<float>(x);
        out.numbers[r] = x;
      }
      frame.add(std::move(out));
    }
    return {};
  }
};

}  // namespace

LoadResult load_imputer(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<ImputerStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  stage->missing = meta.double_param("missingValue", std::nan(""));
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  for (const auto& in : stage->inputs) {
    const Column* c = data->find(in);
    if (c == nullptr || data->num_rows == 0 || c->is_null(0)) {
      return model_error(meta, "no surrogate for '" + in + "'");
    }
    stage->surrogates.push_back(c->number(0));
  }
  return loaded(std::move(stage), info);
}

}  // namespace dbk::scorer::detail
