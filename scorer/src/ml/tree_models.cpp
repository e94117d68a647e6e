// Decision tree, random forest and GBT models (classification and regression).
// Loading follows docs/reference/spark-models.md §1.3/§1.4; scoring follows §2.1–§2.5 exactly.
// Trees are flattened into pre-order arrays (left child = next node, §5.3) and traversed tree by
// tree over blocks of rows, blocks spread over threads (each block owns its output rows); where
// every feature fits 64 bins the walk goes through BinnedForest instead (ml/binned_forest.hpp).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>

#include "dbk/scorer/dataset.hpp"
#include "ml/binned_forest.hpp"
#include "ml/spark_ddot.hpp"
#include "ml/stages.hpp"
#include "ml/tree_nodes.hpp"

namespace dbk::scorer::detail {
namespace {

struct NodeRecord {
  std::int64_t id = -1;
  double prediction = 0;
  std::vector<double> stats;
  std::int64_t left = -1;
  std::int64_t right = -1;
  std::int64_t feature = -1;
  std::vector<double> cats_or_threshold;
  std::int64_t num_categories = -1;
  double impurity = 0;  // read only for a varianceCol
};

// What Spark's optional outputs need of a leaf: its index in DecisionTreeModel's leaf order
// (the leaves of a left subtree before those of the right one, so pre-order) and its impurity,
// which is the variance for a regression tree.
struct LeafFacts {
  double index = -1;
  double impurity = 0;
};

enum class Kind {
  kDtClassifier,
  kRfClassifier,
  kGbtClassifier,
  kDtRegressor,
  kRfRegressor,
  kGbtRegressor
};

class TreeModelStage : public Stage {
 public:
  std::string name;
  Kind kind = Kind::kDtClassifier;
  std::string features_col, prediction_col, raw_col, probability_col;
  std::vector<double> thresholds;
  std::size_t num_classes = 0;
  std::size_t num_features = 0;
  std::size_t stride = 1;  // payload values per leaf
  std::vector<FlatTree> trees;
  std::vector<double> weights;
  std::vector<double> payload;
  std::vector<CategoricalSplit> cats;
  std::int32_t max_feature = -1;
  std::unique_ptr<BinnedForest> binned;  // null when a feature needs more than 64 bins
  // leafCol (every tree model) and varianceCol (DecisionTreeRegressionModel), Spark 3.0+: empty
  // when unset. leaf_facts holds, per tree and flat node, what they report; filled only for them.
  std::string leaf_col, variance_col;
  std::vector<std::vector<LeafFacts>> leaf_facts;
  bool wants_leaf_facts() const { return !leaf_col.empty() || !variance_col.empty(); }

  bool classifier() const {
    return kind == Kind::kDtClassifier || kind == Kind::kRfClassifier ||
           kind == Kind::kGbtClassifier;
  }

  // The flat index of the leaf `x` reaches.
  std::int32_t leaf_node(const FlatNode* nodes, const double* x) const {
    std::int32_t i = 0;
    while (nodes[i].feature >= 0) {
      const FlatNode& n = nodes[i];
      const double v = x[n.feature];
      bool left = n.cat < 0 ? v <= n.threshold : cats[static_cast<std::size_t>(n.cat)].goes_left(v);
      i = left ? i + 1 : n.right;
    }
    return i;
  }
  // The payload index of the leaf `x` reaches.
  std::int32_t find_leaf(const FlatNode* nodes, const double* x) const {
    return nodes[leaf_node(nodes, x)].right;
  }

  // leafCol: each tree's leaf index (DecisionTreeModel.predictLeaf; a number for a single
  // tree, a vector for an ensemble); varianceCol: the regression tree's variance at the leaf.
  // Computed before the stage adds any column, since adding may move `x`.
  std::vector<ScoredColumn> leaf_outputs(Frame& frame, const ScoredColumn& x) const {
    std::vector<ScoredColumn> out;
    if (!wants_leaf_facts()) return out;
    const std::size_t rows = frame.rows();
    const std::size_t width = trees.size();
    const bool single_tree = kind == Kind::kDtClassifier || kind == Kind::kDtRegressor;
    auto leaves =
        single_tree ? new_double_column(leaf_col, rows) : new_vector_column(leaf_col, rows, width);
    auto variance = new_double_column(variance_col, rows);
    leaves.valid = variance.valid = x.valid;
    const auto& alive = frame.alive();
    parallel_blocks(rows, frame.block_rows(), frame.threads(), [&](std::size_t b, std::size_t e) {
      for (std::size_t r = b; r < e; ++r) {
        if (!alive[r] || !x.valid[r]) continue;
        for (std::size_t t = 0; t < width; ++t) {
          const auto& facts =
              leaf_facts[t]
                        [static_cast<std::size_t>(leaf_node(trees[t].nodes.data(), x.vector(r)))];
          leaves.numbers[r * width + t] = facts.index;
          if (t == 0) variance.numbers[r] = facts.impurity;
        }
      }
    });
    if (!leaf_col.empty()) out.push_back(std::move(leaves));
    if (!variance_col.empty()) out.push_back(std::move(variance));
    return out;
  }

  // GBT margins are Spark's ddot of the trees' predictions and weights, summed in the order of
  // the BLAS of the Spark release (ml/spark_ddot.hpp); reproducing it keeps regression
  // predictions bit-exact. The walk below adds trees as it goes, so it keeps one running sum
  // per lane and one for the combined lanes and the trees after them.
  Ddot ddot = Ddot::kInOrder;
  std::size_t lanes_for(const Frame& frame) const {
    return ddot_lanes(ddot, frame.spark_vector_lanes());
  }
  // A row's GBT sums: one per lane and one for the lanes combined and the trees after them.
  static std::size_t gbt_slots(std::size_t lanes) { return lanes == 0 ? 1 : lanes + 1; }
  // The trees summed in lanes: the whole groups of `lanes` (`lanes` is a power of two).
  std::size_t lane_trees(std::size_t lanes) const {
    return lanes == 0 ? trees.size() : trees.size() & ~(lanes - 1);
  }

  // Trees walked before their leaf values are added. The sums of a row stay in registers over
  // these trees, instead of a trip to memory per tree: with several classes, a block's sums
  // outgrow the L2 cache.
  static constexpr std::size_t kTreesPerPass = 8;
  static constexpr std::size_t kPrefetchRows = 8;

  // Accumulates tree outputs for rows [begin, end) into `acc` (`width` per row, row `begin` first),
  // adding each row's trees in tree order; GBT sums in `lanes` ddot lanes (0: none).
  void accumulate(const ScoredColumn& x, const std::vector<std::uint8_t>& alive, std::size_t begin,
                  std::size_t end, std::size_t width, bool use_bins, std::size_t lanes,
                  double* acc) const {
    const std::size_t count = end - begin;
    // Rows dropped or without a vector keep leaf 0 on the direct walk; the binned walk walks them
    // from whatever bins they have. Either way their sums are cleared at the end.
    std::vector<std::int32_t> leaves(kTreesPerPass * count, 0);
    std::vector<std::uint8_t> bins;
    const BinnedForest* forest = use_bins ? binned.get() : nullptr;
    if (forest != nullptr) {
      bins.resize(forest->binned_bytes(count));
      forest->bin_rows(x.numbers.data(), x.width, begin, end, bins.data());
    }
    // Where the ddot combines its lanes (after the last whole group of trees), a pass ends, so
    // the combination falls between the same trees for every row.
    const std::size_t bound = lane_trees(lanes);
    for (std::size_t first = 0; first < trees.size();) {
      if (lanes != 0 && first == bound) {
        for (std::size_t r = 0; r < count; ++r) {
          acc[r * width + lanes] = combine_lanes(acc + r * width, lanes);
        }
      }
      const std::size_t last =
          std::min({first + kTreesPerPass, trees.size(), first < bound ? bound : trees.size()});
      for (std::size_t t = first; t < last; ++t) {
        std::int32_t* out = leaves.data() + (t - first) * count;
        if (forest != nullptr) {
          forest->find_leaves(t, bins.data(), count, out);
          continue;
        }
        for (std::size_t r = begin; r < end; ++r) {
          if (alive[r] && x.valid[r])
            out[r - begin] = find_leaf(trees[t].nodes.data(), x.vector(r));
        }
      }
      if (kind == Kind::kGbtClassifier || kind == Kind::kGbtRegressor) {
        add_gbt_leaves(leaves.data(), first, last, count, width, lanes, acc);
      } else {
        add_leaf_values(leaves.data(), last - first, count, acc);
      }
      first = last;
    }
    for (std::size_t r = begin; r < end; ++r) {
      if (!alive[r] || !x.valid[r]) std::fill_n(acc + (r - begin) * width, width, 0.0);
    }
  }

  // Adds the leaf values of `passed` trees (leaves tree-major, `count` per tree) to each row's
  // sums, `stride` values per leaf and per row (DT and RF models). Strides up to
  // kRegisterStrides get a version that keeps a row's sums in registers; kStride 0 is the
  // general one.
  void add_leaf_values(const std::int32_t* leaves, std::size_t passed, std::size_t count,
                       double* acc) const {
    static const auto kAdders = leaf_adders(std::make_index_sequence<kRegisterStrides + 1>());
    (this->*kAdders[stride <= kRegisterStrides ? stride : 0])(leaves, passed, count, acc);
  }
  static constexpr std::size_t kRegisterStrides = 8;
  using LeafAdder = void (TreeModelStage::*)(const std::int32_t*, std::size_t, std::size_t,
                                             double*) const;
  template <std::size_t... kStrides>
  static constexpr std::array<LeafAdder, sizeof...(kStrides)> leaf_adders(
      std::index_sequence<kStrides...>) {
    return {&TreeModelStage::add_leaf_values<kStrides>...};
  }
  template <std::size_t kStride>
  void add_leaf_values(const std::int32_t* leaves, std::size_t passed, std::size_t count,
                       double* acc) const {
    const std::size_t n = kStride != 0 ? kStride : stride;
    const double* values = payload.data();
    for (std::size_t r = 0; r < count; ++r) {
      double* a = acc + r * n;
      if (r + kPrefetchRows < count) {
        for (std::size_t k = 0; k < passed; ++k) {
          __builtin_prefetch(values +
                             static_cast<std::size_t>(leaves[k * count + r + kPrefetchRows]) * n);
        }
      }
      if constexpr (kStride != 0) {
        std::array<double, kStride> sum;
        std::copy_n(a, kStride, sum.begin());
        for (std::size_t k = 0; k < passed; ++k) {
          const double* p = values + static_cast<std::size_t>(leaves[k * count + r]) * kStride;
          for (std::size_t c = 0; c < kStride; ++c) sum[c] += p[c];
        }
        std::copy_n(sum.begin(), kStride, a);
      } else {
        for (std::size_t k = 0; k < passed; ++k) {
          const double* p = values + static_cast<std::size_t>(leaves[k * count + r]) * n;
          for (std::size_t c = 0; c < n; ++c) a[c] += p[c];
        }
      }
    }
  }

  // GBT: trees [first, last) add weight * leaf value, each to its ddot lane (see above). The
  // trees after the lanes are fused by Java11BLAS, not by VectorBLAS.
  void add_gbt_leaves(const std::int32_t* leaves, std::size_t first, std::size_t last,
                      std::size_t count, std::size_t width, std::size_t lanes, double* acc) const {
    const double* values = payload.data();
    for (std::size_t t = first; t < last; ++t) {
      const double w = weights.empty() ? 1.0 : weights[t];
      const std::size_t slot = lanes == 0 ? 0 : (t < lane_trees(lanes) ? t % lanes : lanes);
      const bool fused = lanes != 0 && (slot < lanes || fuses_tail(ddot));
      const std::int32_t* tree_leaves = leaves + (t - first) * count;
      for (std::size_t r = 0; r < count; ++r) {
        const double p = values[tree_leaves[r]];
        double& a = acc[r * width + slot];
        a = fused ? std::fma(p, w, a) : a + p * w;
      }
    }
  }

  double gbt_margin(double* a, std::size_t lanes) const {
    if (lanes == 0) return a[0];
    if (trees.size() % lanes == 0) a[lanes] = combine_lanes(a, lanes);
    return a[lanes];
  }

  std::size_t predict_index(const double* raw, const double* prob) const {
    std::size_t best = 0;
    if (!thresholds.empty()) {
      // ProbabilisticClassificationModel.probability2prediction (§2.5).
      double max = -HUGE_VAL;
      for (std::size_t c = 0; c < num_classes && c < thresholds.size(); ++c) {
        double scaled = prob[c] / thresholds[c];
        if (scaled > max) {
          max = scaled;
          best = c;
        }
      }
      return best;
    }
    for (std::size_t c = 1; c < num_classes; ++c) {
      if (raw[c] > raw[best]) best = c;
    }
    return best;
  }

  Status transform(Frame& frame) const override {
    auto in = frame.vectors(features_col);
    if (!in.ok()) return std::move(in).error();
    const ScoredColumn& x = **in;
    const std::size_t rows = frame.rows();
    if (rows > 0 && max_feature >= 0 && x.width <= static_cast<std::size_t>(max_feature)) {
      return data_error(name, "features column '" + features_col + "' has vectors of size " +
                                  std::to_string(x.width) + ", the model uses feature " +
                                  std::to_string(max_feature));
    }
    const auto& alive = frame.alive();
    const bool use_bins = frame.binned_trees();
    const std::size_t lanes = lanes_for(frame);
    auto leaf_columns = leaf_outputs(frame, x);
    if (!classifier()) {
      auto pred = new_double_column(prediction_col, rows);
      pred.valid = x.valid;
      parallel_blocks(rows, frame.block_rows(), frame.threads(), [&](std::size_t b, std::size_t e) {
        if (kind == Kind::kGbtRegressor) {
          std::vector<double> slots((e - b) * gbt_slots(lanes), 0.0);
          accumulate(x, alive, b, e, gbt_slots(lanes), use_bins, lanes, slots.data());
          for (std::size_t r = b; r < e; ++r)
            pred.numbers[r] = gbt_margin(&slots[(r - b) * gbt_slots(lanes)], lanes);
          return;
        }
        accumulate(x, alive, b, e, 1, use_bins, 0, pred.numbers.data() + b);
        if (kind == Kind::kRfRegressor) {
          for (std::size_t r = b; r < e; ++r) pred.numbers[r] /= static_cast<double>(trees.size());
        }
      });
      frame.add(std::move(pred));
      for (auto& c : leaf_columns) frame.add(std::move(c));
      return {};
    }
    const std::size_t acc_width = kind == Kind::kGbtClassifier ? gbt_slots(lanes) : num_classes;
    auto raw = new_vector_column(raw_col.empty() ? "rawPrediction" : raw_col, rows, num_classes);
    auto prob = new_vector_column(probability_col.empty() ? "probability" : probability_col, rows,
                                  num_classes);
    auto pred = new_double_column(prediction_col, rows);
    raw.valid = prob.valid = pred.valid = x.valid;
    parallel_blocks(rows, frame.block_rows(), frame.threads(), [&](std::size_t b, std::size_t e) {
      std::vector<double> slots(kind == Kind::kGbtClassifier ? (e - b) * acc_width : 0, 0.0);
      double* acc =
          kind == Kind::kGbtClassifier ? slots.data() : raw.numbers.data() + b * num_classes;
      accumulate(x, alive, b, e, acc_width, use_bins, lanes, acc);
      for (std::size_t r = b; r < e; ++r) {
        if (!alive[r] || !x.valid[r]) continue;
        double* rv = raw.numbers.data() + r * num_classes;
        double* pv = prob.numbers.data() + r * num_classes;
        if (kind == Kind::kGbtClassifier) {
          const double m = gbt_margin(&slots[(r - b) * acc_width], lanes);
          rv[0] = -m;
          rv[1] = m;
          // docs/reference/spark-models.md §2.4: LogLoss.computeProbability(-m), then 1 - p0.
          pv[0] = 1.0 / (1.0 + std::exp(-2.0 * rv[0]));
          pv[1] = 1.0 - pv[0];
        } else {
          double sum = 0;
          for (std::size_t c = 0; c < num_classes; ++c) sum += rv[c];
          for (std::size_t c = 0; c < num_classes; ++c) pv[c] = sum != 0 ? rv[c] / sum : rv[c];
        }
        pred.numbers[r] = static_cast<double>(predict_index(rv, pv));
      }
    });
    if (!raw_col.empty()) frame.add(std::move(raw));
    if (!probability_col.empty()) frame.add(std::move(prob));
    if (!prediction_col.empty()) frame.add(std::move(pred));
    for (auto& c : leaf_columns) frame.add(std::move(c));
    return {};
  }
};

// Leaf values, each distinct one stored once. A deep forest's leaves are mostly pure (one class
// at 1, the rest 0), so a few hot entries serve most of them and stay in cache while leaves are
// added; the scenario's forest has 381,166 leaves and 17,717 distinct values, 6 of them for 86 %
// of its leaves. Values are compared by their bits, so -0.0 and NaN payloads stay as they are.
class LeafValues {
 public:
  explicit LeafValues(TreeModelStage& stage) : stage_(stage) {}
  /// The payload index of `values` (stage.stride of them).
  std::int32_t intern(const double* values) {
    const std::string key(reinterpret_cast<const char*>(values), stage_.stride * sizeof(double));
    const auto index = static_cast<std::int32_t>(stage_.payload.size() / stage_.stride);
    auto [it, added] = index_.emplace(key, index);
    if (added) stage_.payload.insert(stage_.payload.end(), values, values + stage_.stride);
    return it->second;
  }

 private:
  TreeModelStage& stage_;
  std::unordered_map<std::string, std::int32_t> index_;
};

// Flattens one tree (nodes indexed by Spark id) into pre-order with left = next.
Status flatten(const StageMeta& meta, TreeModelStage& stage, LeafValues& leaf_values,
               std::vector<NodeRecord>& nodes, std::int64_t tree_id) {
  std::sort(nodes.begin(), nodes.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::map<std::int64_t, std::size_t> by_id;
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    if (!by_id.emplace(nodes[k].id, k).second) {
      return model_error(meta, "tree " + std::to_string(tree_id) + " repeats node id " +
                                   std::to_string(nodes[k].id));
    }
  }
  if (by_id.find(0) == by_id.end())
    return model_error(meta, "tree " + std::to_string(tree_id) + " has no root");
  FlatTree flat;
  std::vector<LeafFacts> facts;
  double leaves = 0;
  std::vector<std::uint8_t> seen(nodes.size(), 0);
  struct Pending {
    std::size_t node;
    std::int64_t parent_slot;  // flat index whose `right` gets this node, -1 for none
  };
  std::vector<Pending> stack{{by_id[0], -1}};
  while (!stack.empty()) {
    Pending p = stack.back();
    stack.pop_back();
    if (seen[p.node])
      return model_error(meta, "tree " + std::to_string(tree_id) + " is not a tree");
    seen[p.node] = 1;
    const NodeRecord& n = nodes[p.node];
    const auto index = static_cast<std::int32_t>(flat.nodes.size());
    if (p.parent_slot >= 0) flat.nodes[static_cast<std::size_t>(p.parent_slot)].right = index;
    FlatNode f{0.0, -1, -1, -1};
    if (stage.wants_leaf_facts()) {
      facts.push_back(n.left < 0 ? LeafFacts{leaves++, n.impurity} : LeafFacts{});
    }
    if (n.left < 0) {  // leaf (§1.4: leftChild == -1)
      std::vector<double> values;
      if (stage.kind == Kind::kRfClassifier || stage.kind == Kind::kDtClassifier) {
        if (n.stats.size() != stage.num_classes) {
          return model_error(meta, "leaf impurityStats has " + std::to_string(n.stats.size()) +
                                       " entries for " + std::to_string(stage.num_classes) +
                                       " classes");
        }
        double total = 0;
        for (double s : n.stats) total += s;
        for (double s : n.stats) {
          // §2.3: RF adds stats/total per tree (zeros when total is 0, like Spark's skip).
          values.push_back(stage.kind == Kind::kRfClassifier ? (total != 0 ? s / total : 0.0) : s);
        }
      } else {
        values.push_back(n.prediction);
      }
      f.right = leaf_values.intern(values.data());
      flat.nodes.push_back(f);
      continue;
    }
    auto l = by_id.find(n.left);
    auto r = by_id.find(n.right);
    if (l == by_id.end() || r == by_id.end()) {
      return model_error(meta, "node " + std::to_string(n.id) + " of tree " +
                                   std::to_string(tree_id) + " has a missing child");
    }
    if (n.feature < 0 || static_cast<std::size_t>(n.feature) >= stage.num_features ||
        n.feature > INT32_MAX) {
      return model_error(meta, "node " + std::to_string(n.id) + " splits on feature " +
                                   std::to_string(n.feature) + " of " +
                                   std::to_string(stage.num_features));
    }
    f.feature = static_cast<std::int32_t>(n.feature);
    stage.max_feature = std::max(stage.max_feature, f.feature);
    if (n.num_categories < 0) {
      if (n.cats_or_threshold.size() != 1)
        return model_error(meta, "continuous split without one threshold");
      f.threshold = n.cats_or_threshold[0];
    } else {
      CategoricalSplit c;
      c.is_left = static_cast<std::int64_t>(n.cats_or_threshold.size()) <= n.num_categories / 2;
      std::vector<double> members;
      if (c.is_left) {
        members = n.cats_or_threshold;
      } else {
        for (std::int64_t k = 0; k < n.num_categories && k < (1 << 20); ++k) {
          double d = static_cast<double>(k);
          if (std::find(n.cats_or_threshold.begin(), n.cats_or_threshold.end(), d) ==
              n.cats_or_threshold.end()) {
            members.push_back(d);
          }
        }
      }
      for (double m : members) {
        if (m >= 0 && m < 64 && m == std::floor(m)) {
          c.mask |= std::uint64_t{1} << static_cast<int>(m);
        } else {
          c.others.push_back(m);
        }
      }
      f.cat = static_cast<std::int32_t>(stage.cats.size());
      stage.cats.push_back(std::move(c));
    }
    flat.nodes.push_back(f);
    // Right is pushed first so the left subtree is laid out right after this node.
    stack.push_back({r->second, index});
    stack.push_back({l->second, -1});
  }
  stage.trees.push_back(std::move(flat));
  if (stage.wants_leaf_facts()) stage.leaf_facts.push_back(std::move(facts));
  return {};
}

// The model kind named by a tree model's class (its simple name).
Kind tree_kind(const std::string& simple) {
  if (simple == "DecisionTreeClassificationModel") return Kind::kDtClassifier;
  if (simple == "RandomForestClassificationModel") return Kind::kRfClassifier;
  if (simple == "GBTClassificationModel") return Kind::kGbtClassifier;
  if (simple == "DecisionTreeRegressionModel") return Kind::kDtRegressor;
  if (simple == "RandomForestRegressionModel") return Kind::kRfRegressor;
  return Kind::kGbtRegressor;
}

// The stage's params from the metadata: columns, numFeatures, and for classifiers numClasses
// and thresholds.
Status read_tree_params(const StageMeta& meta, TreeModelStage& stage) {
  stage.features_col = meta.string_param("featuresCol", "features");
  stage.prediction_col = meta.string_param("predictionCol", "prediction");
  stage.leaf_col = meta.string_param("leafCol", "");
  if (stage.kind == Kind::kDtRegressor) stage.variance_col = meta.string_param("varianceCol", "");
  auto top_int = [&](const char* key, std::int64_t fallback) {
    auto it = meta.json.find(key);
    return (it != meta.json.end() && it->is_number_integer()) ? it->get<std::int64_t>() : fallback;
  };
  std::int64_t nf = top_int("numFeatures", -1);
  if (nf < 0 || nf > (1 << 24)) return model_error(meta, "metadata has no valid numFeatures");
  stage.num_features = static_cast<std::size_t>(nf);
  // A GBT classifier is probabilistic from Spark 2.2 (ProbabilisticClassificationModel); the
  // 2.0 and 2.1 ones add only the prediction, m > 0 (their metadata has no such columns).
  const bool prediction_only =
      stage.kind == Kind::kGbtClassifier && meta.major == 2 && meta.minor < 2;
  if (stage.classifier()) {
    if (!prediction_only) {
      stage.raw_col = meta.string_param("rawPredictionCol", "rawPrediction");
      stage.probability_col = meta.string_param("probabilityCol", "probability");
    }
    stage.thresholds = meta.doubles_param("thresholds");
    std::int64_t nc = stage.kind == Kind::kGbtClassifier ? 2 : top_int("numClasses", -1);
    if (nc < 1 || nc > 100000) return model_error(meta, "metadata has no valid numClasses");
    stage.num_classes = static_cast<std::size_t>(nc);
    if (!stage.thresholds.empty() && stage.thresholds.size() != stage.num_classes) {
      return model_error(meta, "thresholds length differs from numClasses");
    }
  }
  if (stage.kind == Kind::kGbtClassifier || stage.kind == Kind::kGbtRegressor) {
    stage.ddot = spark_ddot(meta.major, meta.minor);
  }
  stage.stride = (stage.kind == Kind::kRfClassifier || stage.kind == Kind::kDtClassifier)
                     ? stage.num_classes
                     : 1;
  return {};
}

using NodesByTree = std::map<std::int64_t, std::vector<NodeRecord>>;

// Every node of data/, grouped by tree (a single tree is tree 0). Node tables can hold millions
// of rows: their leaves are read as flat arrays (no nested values).
Result<NodesByTree> read_node_records(const StageMeta& meta, bool ensemble, bool with_impurity) {
  const std::string prefix = ensemble ? "nodeData." : "";
  std::vector<std::string> paths = {prefix + "id",
                                    prefix + "prediction",
                                    prefix + "impurityStats",
                                    prefix + "leftChild",
                                    prefix + "rightChild",
                                    prefix + "split.featureIndex",
                                    prefix + "split.leftCategoriesOrThreshold",
                                    prefix + "split.numCategories",
                                    ensemble ? "treeID" : prefix + "id",
                                    prefix + "impurity"};
  if (!with_impurity) paths.pop_back();  // the impurity serves only the variance
  auto files = list_table_files((std::filesystem::path(meta.path) / "data").string());
  if (!files.ok()) return std::move(files).error();
  NodesByTree by_tree;
  for (const auto& file : *files) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto leaves = read_parquet_leaf_arrays(bytes, file, paths);
    if (!leaves.ok()) return std::move(leaves).error();
    const auto& L = *leaves;
    const std::size_t rows = L[0].rows;
    for (const auto& a : L) {
      if (a.rows != rows) return model_error(meta, file + ": node columns differ in length");
    }
    auto list = [&](const LeafArray& a, std::size_t r) {
      std::vector<double> v;
      for (std::size_t k = a.offsets[r]; k < a.offsets[r + 1]; ++k) v.push_back(a.values[k]);
      return v;
    };
    for (std::size_t r = 0; r < rows; ++r) {
      if (!L[0].present[r] || !L[8].present[r]) {
        return model_error(meta, file + ": node row " + std::to_string(r) + " is null");
      }
      NodeRecord n;
      n.id = static_cast<std::int64_t>(L[0].values[r]);
      n.prediction = L[1].values[r];
      n.stats = list(L[2], r);
      n.left = static_cast<std::int64_t>(L[3].values[r]);
      n.right = static_cast<std::int64_t>(L[4].values[r]);
      n.feature = L[5].present[r] ? static_cast<std::int64_t>(L[5].values[r]) : -1;
      n.cats_or_threshold = list(L[6], r);
      n.num_categories = L[7].present[r] ? static_cast<std::int64_t>(L[7].values[r]) : -1;
      if (L.size() > 9) n.impurity = L[9].values[r];
      const double tree = ensemble ? L[8].values[r] : 0.0;
      if (!(tree >= 0 && tree < 1e9) || n.id < 0) {
        return model_error(meta, file + ": node row " + std::to_string(r) + " is malformed");
      }
      by_tree[static_cast<std::int64_t>(tree)].push_back(std::move(n));
    }
  }
  if (by_tree.empty()) return model_error(meta, "model has no nodes");
  return by_tree;
}

// An ensemble's tree weights from treesMetadata: (treeID, metadata, weights), named _1,_2,_3
// in Spark 4.1, so read by position.
Status read_tree_weights(const StageMeta& meta, TreeModelStage& stage) {
  auto tm = read_stage_table(meta.path, "treesMetadata");
  if (!tm.ok()) return std::move(tm).error();
  if (tm->columns.size() < 3) return model_error(meta, "treesMetadata has fewer than 3 columns");
  std::vector<double> weights(stage.trees.size(), std::nan(""));
  for (std::size_t r = 0; r < tm->num_rows; ++r) {
    double id = tm->columns[0].number(r);
    if (!(id >= 0) || id >= static_cast<double>(weights.size())) {
      return model_error(meta, "treesMetadata names an unknown tree");
    }
    weights[static_cast<std::size_t>(id)] = tm->columns[2].number(r);
  }
  for (double w : weights) {
    if (std::isnan(w)) return model_error(meta, "treesMetadata lacks a tree's weight");
  }
  stage.weights = std::move(weights);
  return {};
}

}  // namespace

LoadResult load_tree_model(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<TreeModelStage>();
  const std::string& cls = meta.class_name;
  auto simple = cls.substr(cls.rfind('.') + 1);
  stage->name = simple + " " + meta.uid;
  stage->kind = tree_kind(simple);
  if (auto st = read_tree_params(meta, *stage); !st.ok()) return std::move(st).error();
  const bool ensemble = simple.rfind("DecisionTree", 0) != 0;
  auto by_tree = read_node_records(meta, ensemble, !stage->variance_col.empty());
  if (!by_tree.ok()) return std::move(by_tree).error();
  std::int64_t expected_tree = 0;
  LeafValues leaf_values(*stage);
  for (auto& [tree, nodes] : *by_tree) {
    if (tree != expected_tree++)
      return model_error(meta, "tree " + std::to_string(tree) + " out of sequence");
    if (auto st = flatten(meta, *stage, leaf_values, nodes, tree); !st.ok())
      return std::move(st).error();
  }
  stage->binned = BinnedForest::build(stage->trees, stage->cats);
  if (ensemble) {
    if (auto st = read_tree_weights(meta, *stage); !st.ok()) return std::move(st).error();
  }
  info.input_columns = {stage->features_col};
  if (stage->classifier()) {
    for (const auto* c : {&stage->raw_col, &stage->probability_col}) {
      if (!c->empty()) info.output_columns.push_back(*c);
    }
  }
  info.output_columns.push_back(stage->prediction_col);
  for (const auto* c : {&stage->leaf_col, &stage->variance_col}) {
    if (!c->empty()) info.output_columns.push_back(*c);
  }
  return std::shared_ptr<const Stage>(stage);
}

}  // namespace dbk::scorer::detail
