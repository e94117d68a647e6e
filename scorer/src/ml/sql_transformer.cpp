// SQLTransformer: Spark runs its `statement` with __THIS__ naming the stage's input. The scorer
// runs the plain `SELECT item, ... FROM __THIS__ [WHERE cond]` forms (ml/sql_expression.hpp):
// WHERE drops rows for every later stage, as handleInvalid=skip does; each named item becomes
// an output column computed from the frame as it was before the stage. Columns the SELECT
// leaves out stay in the frame (no later stage of a pipeline Spark fitted reads them).

#include <set>

#include "ml/feature_stage.hpp"
#include "ml/sql_expression.hpp"

namespace dbk::scorer::detail {
namespace {

class SqlTransformerStage : public Stage {
 public:
  std::string name;
  sql::Statement statement;

  Status transform(Frame& frame) const override {
    auto fail = [&](const ApiError& e) {
      return make_error(e.error_code, name + ": " + e.message);
    };
    if (statement.where) {
      auto cond = sql::bind(*statement.where, frame);
      if (!cond.ok()) return fail(cond.error());
      const sql::Type type = sql::bound_type(**cond);
      if (type != sql::Type::kBool && type != sql::Type::kNull) {
        return make_error(error_codes::kUnsupportedStage,
                          name + ": WHERE condition of type " + sql::type_name(type));
      }
      sql::Cell cell;
      for (std::size_t r = 0; r < frame.rows(); ++r) {
        if (!frame.alive()[r]) continue;
        if (auto st = sql::evaluate_row(**cond, r, cell); !st.ok()) return fail(st.error());
        if (cell.null || cell.i == 0) frame.alive()[r] = 0;
      }
    }
    // Every item sees the frame as it was before the stage, so outputs are added at the end.
    struct Output {
      ScoredColumn column;
      const NominalAttribute* nominal = nullptr;
      const VectorAttributes* vector = nullptr;
    };
    std::vector<Output> outputs;
    for (const auto& item : statement.items) {
      if (item.star) continue;
      Output out;
      if (item.expr->kind == sql::Expr::Kind::kColumn) {
        auto source = sql::resolve_column(frame, item.expr->name);
        if (!source.ok()) return fail(source.error());
        if (*source == item.alias) continue;  // the column as it is
        // An alias keeps the column's ML attributes, as Spark's Alias keeps its metadata.
        out.nominal = frame.nominal(*source);
        out.vector = frame.vector_attributes(*source);
        if (frame.is_vector(*source)) {
          auto v = frame.vectors(*source);
          if (!v.ok()) return fail(v.error());
          out.column = **v;
          out.column.name = item.alias;
          outputs.push_back(std::move(out));
          continue;
        }
      }
      auto bound = sql::bind(*item.expr, frame);
      if (!bound.ok()) return fail(bound.error());
      const sql::Type type = sql::bound_type(**bound);
      ScoredColumn& col = out.column;
      col.name = item.alias;
      col.kind =
          type == sql::Type::kString ? ScoredColumn::Kind::kString : ScoredColumn::Kind::kDouble;
      col.integer = type == sql::Type::kInt || type == sql::Type::kLong;
      col.long_integer = type == sql::Type::kLong;
      col.valid.assign(frame.rows(), 0);
      if (col.kind == ScoredColumn::Kind::kString) {
        col.strings.resize(frame.rows());
      } else {
        col.numbers.assign(frame.rows(), 0.0);
      }
      const bool integral =
          type == sql::Type::kBool || type == sql::Type::kInt || type == sql::Type::kLong;
      sql::Cell cell;
      for (std::size_t r = 0; r < frame.rows(); ++r) {
        if (!frame.alive()[r]) continue;
        if (auto st = sql::evaluate_row(**bound, r, cell); !st.ok()) return fail(st.error());
        if (cell.null) continue;
        col.valid[r] = 1;
        if (col.kind == ScoredColumn::Kind::kString) {
          col.strings[r] = std::move(cell.s);
        } else {
          col.numbers[r] = integral ? static_cast<double>(cell.i) : cell.d;
        }
      }
      outputs.push_back(std::move(out));
    }
    // Attributes are copied before add() replaces columns they may belong to.
    std::vector<std::optional<NominalAttribute>> nominals;
    std::vector<std::optional<VectorAttributes>> vectors;
    for (const auto& o : outputs) {
      nominals.push_back(o.nominal ? std::optional<NominalAttribute>(*o.nominal) : std::nullopt);
      vectors.push_back(o.vector ? std::optional<VectorAttributes>(*o.vector) : std::nullopt);
    }
    for (std::size_t k = 0; k < outputs.size(); ++k) {
      const std::string alias = outputs[k].column.name;
      frame.add(std::move(outputs[k].column));
      if (nominals[k]) frame.set_nominal(alias, std::move(*nominals[k]));
      if (vectors[k]) frame.set_vector_attributes(alias, std::move(*vectors[k]));
    }
    return {};
  }
};

}  // namespace

LoadResult load_sql_transformer(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<SqlTransformerStage>();
  stage->name = stage_name(meta);
  const nlohmann::json* statement = meta.param("statement");
  if (statement == nullptr || !statement->is_string()) {
    return model_error(meta, "no 'statement' param");
  }
  auto parsed = sql::parse_statement(statement->get<std::string>());
  if (!parsed.ok()) {
    return make_error(parsed.error().error_code, "SQLTransformer " + meta.uid + " (" + meta.path +
                                                     "): " + parsed.error().message);
  }
  std::set<std::string> names;
  for (const auto& item : parsed->items) {
    if (item.star) continue;
    if (!names.insert(item.alias).second) {
      return make_error(error_codes::kUnsupportedStage,
                        "SQLTransformer " + meta.uid + " (" + meta.path +
                            "): two output columns named '" + item.alias + "'");
    }
    info.output_columns.push_back(item.alias);
  }
  for (const auto& c : parsed->columns) {
    if (std::find(info.input_columns.begin(), info.input_columns.end(), c) ==
        info.input_columns.end()) {
      info.input_columns.push_back(c);
    }
  }
  stage->statement = std::move(*parsed);
  return std::shared_ptr<const Stage>(std::move(stage));
}

}  // namespace dbk::scorer::detail
