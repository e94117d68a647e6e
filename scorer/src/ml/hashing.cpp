// FeatureHasher and IDFModel (docs/scorer.md, "Supported stages"). FeatureHasher puts each
// input at MurmurHash3_x86_32 (seed 42, Spark's hashUnsafeBytes2) of its column name (numeric
// columns, the value itself) or of "name=value" (strings, booleans and categoricalCols, the
// value 1.0), modulo numFeatures, summing values that meet at one index (Spark 3+: numeric
// columns first, then categorical ones; 2.x: in input order); its vectors are always sparse.
// IDFModel multiplies each element by its idf, keeping sparsity.

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "ml/feature_stage.hpp"
#include "ml/murmur3.hpp"

namespace dbk::scorer::detail {

namespace {

std::uint32_t rotl(std::uint32_t x, int r) {
  return (x << r) | (x >> (32 - r));
}

std::uint32_t mix_k1(std::uint32_t k1) {
  k1 *= 0xcc9e2d51u;
  k1 = rotl(k1, 15);
  return k1 * 0x1b873593u;
}

std::uint32_t mix_h1(std::uint32_t h, std::uint32_t k1) {
  h ^= mix_k1(k1);
  return rotl(h, 13) * 5 + 0xe6546b64u;
}

// Output vectors are held dense: refuse a table whose hashed vectors would take more than 1 GiB.
constexpr std::size_t kMaxElements = std::size_t{1} << 27;

}  // namespace

// Little-endian words, then the tail bytes (see murmur3.hpp), then the length and fmix.
std::int32_t spark_murmur3(const std::string& s, std::uint32_t seed, bool legacy_tail) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  const std::size_t aligned = n - n % 4;
  std::uint32_t h = seed;
  for (std::size_t i = 0; i < aligned; i += 4) {
    const std::uint32_t k =
        static_cast<std::uint32_t>(p[i]) | static_cast<std::uint32_t>(p[i + 1]) << 8 |
        static_cast<std::uint32_t>(p[i + 2]) << 16 | static_cast<std::uint32_t>(p[i + 3]) << 24;
    h = mix_h1(h, k);
  }
  if (legacy_tail) {
    for (std::size_t i = aligned; i < n; ++i) {
      h = mix_h1(
          h, static_cast<std::uint32_t>(static_cast<std::int32_t>(static_cast<std::int8_t>(p[i]))));
    }
  } else {
    std::uint32_t k1 = 0;
    for (std::size_t i = aligned, shift = 0; i < n; ++i, shift += 8) {
      k1 ^= static_cast<std::uint32_t>(p[i]) << shift;
    }
    h ^= mix_k1(k1);
  }
  h ^= static_cast<std::uint32_t>(n);
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  std::int32_t out = 0;
  std::memcpy(&out, &h, sizeof out);
  return out;
}

std::size_t non_negative_mod(std::int32_t x, std::size_t mod) {
  const auto m = static_cast<std::int64_t>(mod);
  return static_cast<std::size_t>(((x % m) + m) % m);
}

Status check_dense_hashed(const std::string& stage, std::size_t width, std::size_t rows) {
  if (rows > 0 && width > kMaxElements / rows) {
    return data_error(stage, std::to_string(width) + " features for " + std::to_string(rows) +
                                 " rows are too many to hold as dense vectors");
  }
  return {};
}

namespace {

constexpr std::uint32_t kSeed = kSparkHashSeed;

class FeatureHasherStage : public Stage {
 public:
  std::string name, output;
  std::vector<std::string> inputs;
  std::vector<bool> categorical;  // per input: forced categorical by categoricalCols
  std::size_t num_features = 0;
  bool numeric_first = true;  // Spark 3+; 2.x adds the inputs in their order

  Status transform(Frame& frame) const override {
    const std::size_t rows = frame.rows();
    if (auto st = check_dense_hashed(name, num_features, rows); !st) return st;
    struct Part {
      const ScoredColumn* col;
      bool real;
      std::size_t name_index;  // the column name's index, for real columns
    };
    std::vector<Part> parts;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const Column* in = frame.input_column(inputs[i]);
      bool numeric = frame.has(inputs[i]) && in == nullptr;  // a stage's double output
      if (in != nullptr) {
        switch (in->type) {
          case ColumnType::kInt32:
          case ColumnType::kInt64:
          case ColumnType::kFloat:
          case ColumnType::kDouble:
            numeric = true;
            break;
          case ColumnType::kString:
          case ColumnType::kBool:
            break;
          default:  // Java's toString of dates, timestamps and decimals is not followed
            return data_error(name, "column '" + inputs[i] + "' of type " +
                                        column_type_name(in->type) + " is not supported");
        }
      }
      const bool real = numeric && !categorical[i];
      auto col = real ? frame.numeric(inputs[i]) : frame.strings(inputs[i]);
      if (!col.ok()) return std::move(col).error();
      parts.push_back(
          {*col, real, non_negative_mod(spark_murmur3(inputs[i], kSeed), num_features)});
    }
    auto out = new_vector_column(output, rows, num_features);
    out.sparse.assign(rows, 1);
    std::vector<std::size_t> touched;
    std::vector<std::uint8_t> present(num_features, 0);
    for (std::size_t r = 0; r < rows; ++r) {
      if (!frame.alive()[r]) continue;
      double* y = out.numbers.data() + r * num_features;
      touched.clear();
      // Spark 3+ adds the numeric columns first, then the categorical ones, each in input
      // order; 2.x adds every input in input order (one pass).
      for (int pass = 0; pass < (numeric_first ? 2 : 1); ++pass) {
        for (std::size_t i = 0; i < parts.size(); ++i) {
          const ScoredColumn& c = *parts[i].col;
          if ((numeric_first && parts[i].real != (pass == 0)) || !c.valid[r]) continue;
          const bool real = parts[i].real;
          const std::size_t index =
              real ? parts[i].name_index
                   : non_negative_mod(spark_murmur3(inputs[i] + "=" + c.strings[r], kSeed),
                                      num_features);
          const double value = real ? c.numbers[r] : 1.0;
          // OpenHashMap.changeValue: the first value as it is, later ones added to it
          if (present[index]) {
            y[index] += value;
          } else {
            y[index] = value;
            present[index] = 1;
            touched.push_back(index);
          }
        }
      }
      for (std::size_t t : touched) present[t] = 0;
    }
    frame.add(std::move(out));
    return {};
  }
};

}  // namespace

LoadResult load_feature_hasher(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<FeatureHasherStage>();
  stage->name = stage_name(meta);
  stage->inputs = meta.strings_param("inputCols");
  stage->output = meta.string_param("outputCol", "");
  if (stage->inputs.empty() || stage->output.empty()) {
    return model_error(meta, "no inputCols or outputCol");
  }
  const double n = meta.double_param("numFeatures", 262144.0);
  if (!(n >= 1 && n <= 2147483647.0)) return model_error(meta, "bad numFeatures");
  stage->num_features = static_cast<std::size_t>(n);
  stage->numeric_first = meta.major != 2;
  const auto categorical = meta.strings_param("categoricalCols");
  for (const auto& in : stage->inputs) {
    stage->categorical.push_back(std::find(categorical.begin(), categorical.end(), in) !=
                                 categorical.end());
  }
  info.input_columns = stage->inputs;
  info.output_columns = {stage->output};
  return std::shared_ptr<const Stage>(stage);
}

LoadResult load_idf(const StageMeta& meta, StageInfo& info) {
  auto created = new_stage<VectorMapStage>(meta);
  if (!created.ok()) return std::move(created).error();
  auto stage = *std::move(created);
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto idf = vector_field(*data, "idf", meta);
  if (!idf.ok()) return std::move(idf).error();
  stage->expected_width = idf->size();
  stage->sparsity = Sparsity::kKeep;
  stage->fn = [weights = *idf](const double* x, double* y, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) y[k] = x[k] * weights[k];
  };
  return loaded(std::move(stage), info);
}

}  // namespace dbk::scorer::detail
