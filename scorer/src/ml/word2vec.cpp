// Word2VecModel (docs/scorer.md, "Text stages"): a sentence's vector is the sum of its known
// words' vectors (floats widened to double, added in sentence order as BLAS.axpy adds them)
// times 1 / the sentence's length, unknown words included in the length; an empty sentence is
// a sparse zero vector. The model's data/ holds one (word, vector) row per word from Spark 2.2
// on, and one row of wordIndex (word → index) and the flattened wordVectors before.

#include <unordered_map>

#include "ml/feature_stage.hpp"
#include "ml/text_lists.hpp"

namespace dbk::scorer::detail {
namespace {

class Word2VecStage : public ColumnStage {
 public:
  std::size_t size = 0;
  std::unordered_map<std::string, std::vector<double>> vectors;

  Status transform(Frame& frame) const override {
    auto col = live_string_lists(frame, name, input);
    if (!col) return std::move(col).error();
    auto out = new_vector_column(output, frame.rows(), size);
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      out.valid[r] = 0;
      if (!frame.alive()[r]) continue;
      out.valid[r] = 1;
      const StringList& sentence = (*col)->string_lists[r];
      double* v = out.numbers.data() + r * size;
      if (sentence.empty()) {
        if (out.sparse.empty()) out.sparse.assign(frame.rows(), 0);
        out.sparse[r] = 1;
        continue;
      }
      for (const auto& word : sentence) {
        if (!word) continue;
        auto it = vectors.find(*word);
        if (it == vectors.end()) continue;
        for (std::size_t k = 0; k < size; ++k) v[k] += it->second[k];
      }
      const double scale = 1.0 / static_cast<double>(sentence.size());
      for (std::size_t k = 0; k < size; ++k) v[k] *= scale;
    }
    frame.add(std::move(out));
    return {};
  }
};

// A list of numbers (array<float>) as doubles; false for anything else.
bool numbers_of(const Value& v, std::vector<double>& out) {
  if (v.kind != Value::Kind::kList) return false;
  out.clear();
  for (const auto& e : v.items) {
    if (e.kind != Value::Kind::kDouble) return false;
    out.push_back(e.d);
  }
  return true;
}

}  // namespace

LoadResult load_word2vec(const StageMeta& meta, StageInfo& info) {
  auto stage = new_stage<Word2VecStage>(meta);
  if (!stage) return std::move(stage).error();
  auto& s = **stage;
  const double size = meta.double_param("vectorSize", 100);
  if (!(size >= 1) || size > (1 << 20)) return model_error(meta, "vectorSize out of range");
  s.size = static_cast<std::size_t>(size);
  auto data = read_stage_table(meta.path, "data");
  if (!data) return std::move(data).error();
  std::vector<double> vec;
  if (const Column* words = data->find("word")) {
    const Column* vectors = data->find("vector");
    if (vectors == nullptr || words->type != ColumnType::kString) {
      return model_error(meta, "data has no word and vector columns");
    }
    for (std::size_t r = 0; r < data->num_rows; ++r) {
      if (words->is_null(r) || vectors->is_null(r) || !numbers_of(vectors->nested[r], vec) ||
          vec.size() != s.size) {
        return model_error(meta, "row " + std::to_string(r) + " of data is not a word vector of " +
                                     std::to_string(s.size) + " floats");
      }
      s.vectors[words->strings[r]] = vec;
    }
  } else {  // before Spark 2.2
    auto index = first_row(*data, "wordIndex", meta);
    if (!index) return std::move(index).error();
    auto flat = first_row(*data, "wordVectors", meta);
    if (!flat) return std::move(flat).error();
    if (index->kind != Value::Kind::kMap || !numbers_of(*flat, vec)) {
      return model_error(meta, "wordIndex or wordVectors has the wrong type");
    }
    for (std::size_t k = 0; k + 1 < index->items.size(); k += 2) {
      const Value& word = index->items[k];
      const Value& at = index->items[k + 1];
      if (word.kind != Value::Kind::kString || at.kind != Value::Kind::kInt || at.i < 0 ||
          static_cast<std::size_t>(at.i) >= vec.size() / s.size) {
        return model_error(meta, "wordIndex names a vector wordVectors does not hold");
      }
      const auto from =
          vec.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(at.i) * s.size);
      s.vectors[word.s].assign(from, from + static_cast<std::ptrdiff_t>(s.size));
    }
  }
  return loaded(std::move(*stage), info);
}

}  // namespace dbk::scorer::detail
