// RFormulaModel: Spark saves the formula (data/: label, terms, hasIntercept) and the pipeline it
// fitted (pipelineModel/: StringIndexer, OneHotEncoder, Interaction, VectorAssembler, then the
// private VectorAttributeRewriter and ColumnPruner, and a StringIndexer for a string label).
// The loader flattens that pipeline into the model (pipeline_loader.cpp); the stage loaded here
// is what RFormulaModel.transform does after it: the label.

#include <algorithm>

#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {
namespace {

// transformLabel: a label column already made (by the label's StringIndexer) stays; a numeric
// or boolean label in the input is cast to double; a scoring input without the label is
// scored without one, as Spark 3.x and 4.x allow.
class RFormulaLabelStage : public Stage {
 public:
  std::string name, label, label_col;

  Status transform(Frame& frame) const override {
    if (label.empty() || frame.has(label_col) || !frame.has(label)) return {};
    const Column* in = frame.input_column(label);
    const bool temporal =
        in != nullptr && (in->type == ColumnType::kDate || in->type == ColumnType::kTimestamp);
    auto values = frame.numeric(label);
    if (temporal || !values.ok()) {
      return data_error(name, "unsupported type for label column '" + label + "'");
    }
    ScoredColumn out = **values;
    out.name = label_col;
    frame.add(std::move(out));
    return {};
  }
};

// ColumnPruner drops RFormula's temporary columns (indices, one-hot vectors).
class ColumnPrunerStage : public Stage {
 public:
  std::vector<std::string> columns;

  Status transform(Frame& frame) const override {
    auto& outputs = frame.outputs();
    outputs.erase(std::remove_if(outputs.begin(), outputs.end(),
                                 [&](const ScoredColumn& c) {
                                   return std::find(columns.begin(), columns.end(), c.name) !=
                                          columns.end();
                                 }),
                  outputs.end());
    return {};
  }
};

// VectorAttributeRewriter renames the assembled vector's element names (the temporary
// columns' prefixes become the terms'), replacing every occurrence, prefix by prefix in order.
class VectorAttributeRewriterStage : public Stage {
 public:
  std::string column;
  std::vector<std::pair<std::string, std::string>> prefixes;

  Status transform(Frame& frame) const override {
    const VectorAttributes* attrs = frame.vector_attributes(column);
    if (attrs == nullptr) return {};
    VectorAttributes renamed = *attrs;
    for (auto& n : renamed.names) {
      if (n.empty()) continue;
      for (const auto& [from, to] : prefixes) {
        if (from.empty()) continue;
        std::string out;
        std::size_t pos = 0;
        for (std::size_t hit; (hit = n.find(from, pos)) != std::string::npos;
             pos = hit + from.size()) {
          out += n.substr(pos, hit - pos) + to;
        }
        n = out + n.substr(pos);
      }
    }
    frame.set_vector_attributes(column, std::move(renamed));
    return {};
  }
};

Result<Value> data_row(const StageMeta& meta, const std::string& field) {
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  return first_row(*data, field, meta);
}

}  // namespace

LoadResult load_rformula(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<RFormulaLabelStage>();
  stage->name = stage_name(meta);
  stage->label_col = meta.string_param("labelCol", "label");
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  const Column* label = data->find("label");
  if (label == nullptr || data->num_rows == 0) return model_error(meta, "data has no 'label'");
  if (!label->is_null(0)) stage->label = label->value(0).s;
  info.output_columns = {stage->label_col};
  return std::shared_ptr<const Stage>(std::move(stage));
}

LoadResult load_column_pruner(const StageMeta& meta, StageInfo&) {
  auto v = data_row(meta, "columnsToPrune");
  if (!v.ok()) return std::move(v).error();
  if (v->kind != Value::Kind::kList) return model_error(meta, "'columnsToPrune' is not a list");
  auto stage = std::make_shared<ColumnPrunerStage>();
  for (const auto& item : v->items) stage->columns.push_back(item.s);
  return std::shared_ptr<const Stage>(std::move(stage));
}

LoadResult load_vector_attribute_rewriter(const StageMeta& meta, StageInfo& info) {
  auto column = data_row(meta, "vectorCol");
  if (!column.ok()) return std::move(column).error();
  auto map = data_row(meta, "prefixesToRewrite");
  if (!map.ok()) return std::move(map).error();
  if (map->kind != Value::Kind::kMap || map->items.size() % 2 != 0) {
    return model_error(meta, "'prefixesToRewrite' is not a map");
  }
  auto stage = std::make_shared<VectorAttributeRewriterStage>();
  stage->column = column->s;
  for (std::size_t k = 0; k + 1 < map->items.size(); k += 2) {
    stage->prefixes.emplace_back(map->items[k].s, map->items[k + 1].s);
  }
  info.input_columns = {stage->column};
  info.output_columns = {stage->column};
  return std::shared_ptr<const Stage>(std::move(stage));
}

}  // namespace dbk::scorer::detail
