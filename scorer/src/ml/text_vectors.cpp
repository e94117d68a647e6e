// Term-frequency vectors of lists of strings (docs/scorer.md, "Text stages"): HashingTF puts each
// term at Spark's Murmur3 of its UTF-8 bytes modulo numFeatures (Spark 2.x models keep 2.x's
// hashUnsafeBytes, as Spark 3 does when it loads them), CountVectorizerModel at its vocabulary
// index. Both count 1.0 per occurrence (binary: 1.0 once) and make sparse vectors.

#include <optional>
#include <unordered_map>

#include "ml/feature_stage.hpp"
#include "ml/murmur3.hpp"
#include "ml/text_lists.hpp"

namespace dbk::scorer::detail {
namespace {

// Each list row into a zeroed vector of `width` through `fn`. Spark builds these vectors with
// Vectors.sparse.
template <class Fn>
Status count_terms(Frame& frame, const std::string& stage, const std::string& input,
                   const std::string& output, std::size_t width, Fn fn) {
  if (auto st = check_dense_hashed(stage, width, frame.rows()); !st) return st;
  auto col = live_string_lists(frame, stage, input);
  if (!col) return std::move(col).error();
  auto out = new_vector_column(output, frame.rows(), width);
  out.sparse.assign(frame.rows(), 1);
  for (std::size_t r = 0; r < frame.rows(); ++r) {
    out.valid[r] = 0;
    if (!frame.alive()[r]) continue;
    fn((*col)->string_lists[r], out.numbers.data() + r * width);
    out.valid[r] = 1;
  }
  frame.add(std::move(out));
  return {};
}

class HashingTFStage : public ColumnStage {
 public:
  std::size_t num_features = 0;
  bool binary = false;
  bool legacy_hash = false;  // saved by Spark 2.x

  Status transform(Frame& frame) const override {
    return count_terms(frame, name, input, output, num_features,
                       [&](const StringList& terms, double* v) {
                         for (const auto& t : terms) {
                           // Spark hashes a null term to the seed itself.
                           const std::int32_t h = t ? spark_murmur3(*t, kSparkHashSeed, legacy_hash)
                                                    : static_cast<std::int32_t>(kSparkHashSeed);
                           double& slot = v[non_negative_mod(h, num_features)];
                           slot = binary ? 1.0 : slot + 1.0;
                         }
                       });
  }
};

class CountVectorizerStage : public ColumnStage {
 public:
  std::unordered_map<std::string, std::size_t> index;
  std::optional<std::size_t> null_index;  // fitting on null terms puts null in the vocabulary
  std::size_t size = 0;
  double min_tf = 1.0;
  bool binary = false;

  Status transform(Frame& frame) const override {
    return count_terms(frame, name, input, output, size, [&](const StringList& terms, double* v) {
      std::vector<std::size_t> seen;
      for (const auto& t : terms) {
        std::size_t k = 0;
        if (!t) {
          if (!null_index) continue;
          k = *null_index;
        } else if (auto it = index.find(*t); it != index.end()) {
          k = it->second;
        } else {
          continue;  // not in the vocabulary, but counted among the row's terms
        }
        if (v[k] == 0.0) seen.push_back(k);
        v[k] += 1.0;
      }
      // minTF: a count, or from below 1.0 a fraction of the row's tokens (Long * Double).
      const double effective = min_tf >= 1.0 ? min_tf : static_cast<double>(terms.size()) * min_tf;
      for (std::size_t k : seen) {
        if (v[k] < effective) {
          v[k] = 0.0;
        } else if (binary) {
          v[k] = 1.0;
        }
      }
    });
  }
};

}  // namespace

LoadResult load_hashing_tf(const StageMeta& meta, StageInfo& info) {
  auto stage = new_stage<HashingTFStage>(meta);
  if (!stage) return std::move(stage).error();
  const double n = meta.double_param("numFeatures", 262144);
  if (!(n >= 1) || n > 2147483647.0 || n != static_cast<double>(static_cast<std::int64_t>(n))) {
    return model_error(meta, "numFeatures must be a positive int");
  }
  (*stage)->num_features = static_cast<std::size_t>(n);
  (*stage)->binary = meta.bool_param("binary", false);
  (*stage)->legacy_hash = meta.major < 3;
  return loaded(std::move(*stage), info);
}

LoadResult load_count_vectorizer(const StageMeta& meta, StageInfo& info) {
  auto stage = new_stage<CountVectorizerStage>(meta);
  if (!stage) return std::move(stage).error();
  auto data = read_stage_table(meta.path, "data");
  if (!data) return std::move(data).error();
  auto vocabulary = first_row(*data, "vocabulary", meta);
  if (!vocabulary) return std::move(vocabulary).error();
  if (vocabulary->kind != Value::Kind::kList) return model_error(meta, "vocabulary is not a list");
  auto& s = **stage;
  s.size = vocabulary->items.size();
  for (std::size_t k = 0; k < s.size; ++k) {
    const Value& w = vocabulary->items[k];
    // Scala's zipWithIndex.toMap: a repeated word keeps its last index.
    if (w.kind == Value::Kind::kNull) {
      s.null_index = k;
    } else if (w.kind == Value::Kind::kString) {
      s.index[w.s] = k;
    } else {
      return model_error(meta, "a vocabulary word is not a string");
    }
  }
  s.min_tf = meta.double_param("minTF", 1.0);
  if (!(s.min_tf >= 0)) return model_error(meta, "minTF must not be negative");
  s.binary = meta.bool_param("binary", false);
  return loaded(std::move(*stage), info);
}

}  // namespace dbk::scorer::detail
