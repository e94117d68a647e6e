#pragma once

// Internal stage interface: a stage reads columns of a Frame and adds its outputs. Rows dropped
// by handleInvalid=skip are marked dead in `alive` and ignored (never raise errors) afterwards.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dbk/scorer/parquet.hpp"
#include "dbk/scorer/score.hpp"
#include "dbk/scorer/table.hpp"

namespace dbk::scorer::detail {

/// How many values a categorical column has, and their names where Spark records them
/// (StringIndexerModel: its labels, plus "__unknown" with keep; Bucketizer: its bucket ranges).
struct NominalAttribute {
  std::size_t size = 0;
  std::vector<std::string> values;  // empty when Spark records none (Binarizer)
  bool binary = false;  // Spark's BinaryAttribute (Binarizer): Interaction takes it as numeric
};

/// Names of a vector column's elements from the ML attribute group Spark attaches to it, "" for
/// an element without one. VectorSlicer looks its `names` up here.
struct VectorAttributes {
  std::vector<std::string> names;
  /// Per element, empty when none is: the nominal attribute of a categorical element (size 0
  /// for a numeric or binary one). VectorAssembler keeps a nominal input's; Interaction
  /// one-hot encodes by it.
  std::vector<NominalAttribute> nominal;
};

/// Working set of a scoring run.
class Frame {
 public:
  Frame(const Table& input, const ScoreOptions& options);

  std::size_t rows() const { return rows_; }
  std::vector<std::uint8_t>& alive() { return alive_; }
  unsigned threads() const { return threads_; }
  std::size_t block_rows() const { return block_rows_; }
  bool binned_trees() const { return binned_trees_; }
  std::size_t spark_vector_lanes() const { return spark_vector_lanes_; }

  bool has(const std::string& name) const;
  /// True for vector outputs and nested input columns.
  bool is_vector(const std::string& name) const;
  /// Type of an input column (nullptr when the name is not an input column).
  const Column* input_column(const std::string& name) const { return input_.find(name); }
  const Table& input_table() const { return input_; }
  /// Column as doubles (numeric input columns are converted; strings are an error).
  Result<const ScoredColumn*> numeric(const std::string& name);
  /// Column as Spark's cast to string (numbers printed the way Java does).
  Result<const ScoredColumn*> strings(const std::string& name);
  /// Column as fixed-width vectors (Spark ML Vector structs or arrays of numbers).
  Result<const ScoredColumn*> vectors(const std::string& name);
  /// Column as lists of strings (Spark array<string>: a stage's output or an input list column
  /// whose elements are strings or nulls); string_lists.cpp.
  Result<const ScoredColumn*> string_lists(const std::string& name);
  /// Adds (or replaces) an output column.
  void add(ScoredColumn column);
  /// The nominal (or binary) ML attribute Spark attaches to a stage's output column: the 2.x
  /// OneHotEncoder sizes its vectors by it and IndexToString without labels names indices by
  /// it. nullptr for other columns. Replacing a column clears it.
  void set_nominal(const std::string& name, NominalAttribute attribute);
  const NominalAttribute* nominal(const std::string& name) const;
  /// The attribute group of a vector column when Spark gives it one attribute per element:
  /// VectorAssembler, VectorIndexer, VectorSlicer and OneHotEncoder outputs do; scalers and
  /// models record only a size (nullptr). Replacing a column clears it.
  void set_vector_attributes(const std::string& name, VectorAttributes attributes);
  const VectorAttributes* vector_attributes(const std::string& name) const;

  std::vector<ScoredColumn>& outputs() { return outputs_; }

 private:
  const ScoredColumn* find_output(const std::string& name) const;
  const ScoredColumn* find_converted(const std::string& name, ScoredColumn::Kind kind) const;
  const Table& input_;
  std::size_t rows_;
  std::vector<std::uint8_t> alive_;
  std::vector<ScoredColumn> outputs_;
  std::map<std::string, NominalAttribute> nominals_;
  std::map<std::string, VectorAttributes> vector_attributes_;
  std::vector<std::unique_ptr<ScoredColumn>> converted_;
  unsigned threads_;
  std::size_t block_rows_;
  bool binned_trees_;
  std::size_t spark_vector_lanes_;
};

class Stage {
 public:
  virtual ~Stage() = default;
  virtual Status transform(Frame& frame) const = 0;
};

/// A stage's metadata JSON with Spark's param lookup (docs/reference/spark-models.md §1.2).
struct StageMeta {
  nlohmann::json json;
  std::string path;  // stage folder, for messages
  std::string class_name;
  std::string uid;
  std::string spark_version;
  int major = 0;
  int minor = 0;

  /// paramMap first, then defaultParamMap; nullptr when neither has it.
  const nlohmann::json* param(const std::string& name) const;
  std::string string_param(const std::string& name, const std::string& fallback) const;
  double double_param(const std::string& name, double fallback) const;
  bool bool_param(const std::string& name, bool fallback) const;
  std::vector<std::string> strings_param(const std::string& name) const;
  std::vector<double> doubles_param(const std::string& name) const;
  bool has_param(const std::string& name) const { return param(name) != nullptr; }
};

/// Reads `<dir>/metadata/part-*` (docs/reference/spark-models.md §1.1/§1.5).
Result<StageMeta> read_stage_meta(const std::string& dir);
/// Reads `<dir>/<sub>/` as a table (data/, treesMetadata/).
Result<Table> read_stage_table(const std::string& dir, const std::string& sub);

/// JSON number or the strings "NaN"/"Infinity"/"-Infinity" as Spark writes them.
std::optional<double> json_double(const nlohmann::json& v);
/// Spark ML Vector struct (docs/reference/spark-models.md §2.8) → dense values; false if not a
/// vector.
bool vector_from_value(const Value& v, std::vector<double>& out);
/// Spark ML Matrix struct → row-major dense values.
bool matrix_from_value(const Value& v, std::size_t& rows, std::size_t& cols,
                       std::vector<double>& out);
/// Java's Double.toString, as Spark's cast(double as string) prints.
std::string java_double_string(double v);
/// Java's Float.toString, as Spark's cast(float as string) prints.
std::string java_float_string(float v);

ApiError model_error(const StageMeta& meta, const std::string& what);
ApiError data_error(const std::string& stage, const std::string& what);

/// Loader of one stage class.
using StageLoader = Result<std::shared_ptr<const Stage>> (*)(const StageMeta&, StageInfo&);
/// Loader for a class name, nullptr when unsupported.
StageLoader find_stage_loader(const std::string& class_name);
std::vector<std::string> stage_loader_classes();

/// Runs fn(begin, end) over row blocks on up to `threads` threads.
void parallel_blocks(std::size_t rows, std::size_t block, unsigned threads,
                     const std::function<void(std::size_t, std::size_t)>& fn);

}  // namespace dbk::scorer::detail
