#include "ml/binned_forest.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <limits>
#include <map>

namespace dbk::scorer::detail {
namespace {

constexpr std::uint64_t kAllBins = ~std::uint64_t{0};

// The number of cuts below x (x not NaN), which is its bin: `cuts` holds kBins - 1 sorted values
// or fewer, padded with +inf to kBins, so the search is five or six fixed halvings, no branch.
template <std::size_t kBins>
std::uint8_t rank_among(const double* cuts, double x) {
  std::size_t rank = 0;
  for (std::size_t step = kBins / 2; step > 0; step /= 2) {
    // Arithmetic, not a conditional: compilers turn the ternary into a mispredicted jump.
    rank += static_cast<std::size_t>(cuts[rank + step - 1] < x) * step;
  }
  return static_cast<std::uint8_t>(rank);
}

struct FeatureUse {
  bool continuous = false;
  bool categorical = false;
  std::size_t bins = 1;  // needed: continuous cuts + 1; categorical highest member + 2
  std::vector<double> cuts;
};

}  // namespace

std::unique_ptr<BinnedForest> BinnedForest::build(const std::vector<FlatTree>& trees,
                                                  const std::vector<CategoricalSplit>& cats) {
  std::map<std::int32_t, FeatureUse> uses;
  bool small_trees = true;
  for (const auto& tree : trees) {
    small_trees = small_trees && tree.nodes.size() <= NarrowNode::kMaxIndex;
    if (tree.nodes.size() >= WideNode::kMaxIndex) return nullptr;
    for (const auto& node : tree.nodes) {
      if (node.feature < 0) continue;
      FeatureUse& use = uses[node.feature];
      if (node.cat < 0) {
        if (std::isnan(node.threshold)) return nullptr;
        use.continuous = true;
        use.cuts.push_back(node.threshold);
        continue;
      }
      // Category bins are the categories, then one bin for every value no set names.
      const CategoricalSplit& split = cats[static_cast<std::size_t>(node.cat)];
      if (!split.others.empty() || (split.mask >> (WideNode::kMaxBins - 1)) != 0) return nullptr;
      use.categorical = true;
      if (split.mask != 0) {
        const auto highest = static_cast<std::size_t>(63 - __builtin_clzll(split.mask));
        use.bins = std::max(use.bins, highest + 2);
      }
    }
  }
  auto forest = std::unique_ptr<BinnedForest>(new BinnedForest());
  std::map<std::int32_t, std::uint32_t> position;
  std::size_t bins = 1;
  for (auto& [index, use] : uses) {
    if (use.continuous && use.categorical) return nullptr;
    std::sort(use.cuts.begin(), use.cuts.end());
    use.cuts.erase(std::unique(use.cuts.begin(), use.cuts.end()), use.cuts.end());
    if (use.continuous) use.bins = use.cuts.size() + 1;
    if (use.bins > WideNode::kMaxBins) return nullptr;
    bins = std::max(bins, use.bins);
    position[index] = static_cast<std::uint32_t>(forest->used_features_.size());
    const std::size_t cut_count = use.cuts.size();
    forest->used_features_.push_back(
        {static_cast<std::uint32_t>(index), use.categorical, std::move(use.cuts), cut_count});
  }
  // Leaves read feature 0 of the binned row, so a row has at least one byte.
  if (forest->used_features_.empty()) forest->used_features_.push_back({});
  const bool narrow = small_trees && bins <= NarrowNode::kMaxBins &&
                      forest->used_features_.size() * kLanes <= NarrowNode::kMaxIndex;
  forest->other_category_ =
      static_cast<std::uint8_t>((narrow ? NarrowNode::kMaxBins : WideNode::kMaxBins) - 1);
  forest->bin_bias_ = narrow ? NarrowNode::kBinBias : WideNode::kBinBias;
  for (Feature& f : forest->used_features_) {
    if (!f.categorical) f.cuts.resize(forest->bins(), std::numeric_limits<double>::infinity());
  }

  std::vector<Split> splits;
  for (const auto& tree : trees) {
    Tree out;
    out.first_node = forest->payload_.size();
    struct Pending {
      std::size_t flat;
      std::size_t slot;
      std::size_t depth;
    };
    // Breadth-first, so the top levels every row visits share cache lines.
    std::deque<Pending> queue{{0, 0, 0}};
    splits.assign(1, {});
    forest->payload_.push_back(-1);
    while (!queue.empty()) {
      const Pending p = queue.front();
      queue.pop_front();
      const FlatNode& flat = tree.nodes[p.flat];
      if (flat.feature < 0) {
        splits[p.slot] = {kAllBins, static_cast<std::uint32_t>(p.slot + 1), 0};
        forest->payload_[out.first_node + p.slot] = flat.right;
        out.depth = std::max(out.depth, p.depth);
        continue;
      }
      const std::uint32_t feature = position[flat.feature];
      const Feature& f = forest->used_features_[feature];
      std::uint64_t left_bins = 0;
      if (flat.cat < 0) {
        const auto rank = static_cast<std::size_t>(
            std::lower_bound(f.cuts.begin(),
                             f.cuts.begin() + static_cast<std::ptrdiff_t>(f.cut_count),
                             flat.threshold) -
            f.cuts.begin());
        left_bins = (std::uint64_t{2} << rank) - 1;  // bins 0..rank hold x <= threshold
      } else {
        const CategoricalSplit& split = cats[static_cast<std::size_t>(flat.cat)];
        for (std::uint8_t b = 0; b < forest->other_category_; ++b) {
          if (split.goes_left(b)) left_bins |= std::uint64_t{1} << b;
        }
        if (split.goes_left(std::numeric_limits<double>::quiet_NaN()))
          left_bins |= std::uint64_t{1} << forest->other_category_;
      }
      const std::size_t left = splits.size();
      splits[p.slot] = {left_bins, static_cast<std::uint32_t>(left + 1),
                        static_cast<std::uint32_t>(feature * kLanes)};
      splits.resize(splits.size() + 2);
      forest->payload_.resize(forest->payload_.size() + 2, -1);
      queue.push_back({p.flat + 1, left, p.depth + 1});
      queue.push_back({static_cast<std::size_t>(flat.right), left + 1, p.depth + 1});
    }
    for (const Split& s : splits) {
      if (narrow) {
        forest->narrow_.emplace_back(s);
      } else {
        forest->wide_.emplace_back(s);
      }
    }
    forest->trees_.push_back(out);
  }
  return forest;
}

void BinnedForest::bin_rows(const double* rows, std::size_t width, std::size_t begin,
                            std::size_t end, std::uint8_t* out) const {
  const std::size_t features = used_features_.size();
  const std::size_t count = end - begin;
  // Lanes past the last row walk too (their leaves are dropped); give them bin 0.
  std::fill(out + count / kLanes * kLanes * features, out + binned_bytes(count), bin_bias_);
  for (std::size_t k = 0; k < features; ++k) {
    const double* v = rows + begin * width + used_features_[k].index;
    std::uint8_t* first = out + k * kLanes;  // feature k of row 0
    if (bins() == NarrowNode::kMaxBins) {
      bin_feature<NarrowNode::kMaxBins>(used_features_[k], v, width, count, features, first);
    } else {
      bin_feature<WideNode::kMaxBins>(used_features_[k], v, width, count, features, first);
    }
  }
}

template <std::size_t kBins>
void BinnedForest::bin_feature(const Feature& f, const double* v, std::size_t width,
                               std::size_t count, std::size_t features, std::uint8_t* out) const {
  auto put = [&](std::size_t r, std::uint8_t bin) {
    out[r / kLanes * features * kLanes + r % kLanes] = static_cast<std::uint8_t>(bin + bin_bias_);
  };
  if (f.categorical) {
    const double other = other_category_;
    for (std::size_t r = 0; r < count; ++r, v += width) {
      const double x = *v;
      put(r, (x >= 0 && x < other && x == std::floor(x)) ? static_cast<std::uint8_t>(x)
                                                         : other_category_);
    }
    return;
  }
  const double* cuts = f.cuts.data();
  const auto nan_bin = static_cast<std::uint8_t>(f.cut_count);
  for (std::size_t r = 0; r < count; ++r, v += width) {
    // NaN <= t is false for every threshold: NaN ranks after all of them.
    const double x = *v;
    put(r, std::isnan(x) ? nan_bin : rank_among<kBins>(cuts, x));
  }
}

template <typename Node>
void BinnedForest::walk(const Node* nodes, const Tree& tree, const std::uint8_t* group,
                        std::int32_t* leaves) const {
  std::array<std::size_t, kLanes> at{};
  // Every lane takes `depth` steps (a leaf loops to itself): the lanes' loads are independent,
  // so their latencies overlap instead of adding up.
  for (std::size_t step = 0; step < tree.depth; ++step) {
    for (std::size_t lane = 0; lane < kLanes; ++lane) {
      const Node& n = nodes[at[lane]];
      at[lane] = n.next(group[n.offset() + lane]);
    }
  }
  const std::int32_t* payload = payload_.data() + tree.first_node;
  for (std::size_t lane = 0; lane < kLanes; ++lane) leaves[lane] = payload[at[lane]];
}

template <typename Node>
void BinnedForest::find_leaves(const std::vector<Node>& nodes, std::size_t tree,
                               const std::uint8_t* binned, std::size_t count,
                               std::int32_t* leaves) const {
  const Tree& t = trees_[tree];
  const Node* root = nodes.data() + t.first_node;
  const std::size_t group_bytes = kLanes * used_features_.size();
  std::size_t r = 0;
  for (; r + kLanes <= count; r += kLanes, binned += group_bytes) walk(root, t, binned, leaves + r);
  if (r < count) {
    std::array<std::int32_t, kLanes> tail{};
    walk(root, t, binned, tail.data());
    std::copy(tail.begin(), tail.begin() + static_cast<std::ptrdiff_t>(count - r), leaves + r);
  }
}

void BinnedForest::find_leaves(std::size_t tree, const std::uint8_t* binned, std::size_t count,
                               std::int32_t* leaves) const {
  if (bins() == NarrowNode::kMaxBins) {
    find_leaves(narrow_, tree, binned, count, leaves);
  } else {
    find_leaves(wide_, tree, binned, count, leaves);
  }
}

}  // namespace dbk::scorer::detail
