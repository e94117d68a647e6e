#include "ml/binned_forest.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <limits>
#include <map>

namespace dbk::scorer::detail {
namespace {

// Bin 63 holds every categorical value that is not an integer in [0, 63): none of them is a
// member of any split's set, so they all go the way Spark sends non-members (§2.1).
constexpr std::uint8_t kOtherCategory = 63;
constexpr std::size_t kMaxCuts = 63;
constexpr std::uint64_t kAllBins = ~std::uint64_t{0};
constexpr std::size_t kMaxIndex = 0xFFFF;  // of a mask; feature * kLanes must fit too

// Index of the first cut >= x (x not NaN), without data-dependent branches.
std::uint8_t lower_bound_index(const double* cuts, std::size_t count, double x) {
  const double* base = cuts;
  std::size_t n = count;
  while (n > 1) {
    const std::size_t half = n / 2;
    // Arithmetic, not a conditional: compilers turn the ternary into a mispredicted jump.
    base += static_cast<std::size_t>(base[half - 1] < x) * half;
    n -= half;
  }
  return static_cast<std::uint8_t>((base - cuts) + static_cast<std::ptrdiff_t>(*base < x));
}

struct FeatureUse {
  bool continuous = false;
  bool categorical = false;
  std::vector<double> cuts;
};

}  // namespace

std::unique_ptr<BinnedForest> BinnedForest::build(const std::vector<FlatTree>& trees,
                                                  const std::vector<CategoricalSplit>& cats) {
  std::map<std::int32_t, FeatureUse> uses;
  for (const auto& tree : trees) {
    for (const auto& node : tree.nodes) {
      if (node.feature < 0) continue;
      FeatureUse& use = uses[node.feature];
      if (node.cat < 0) {
        if (std::isnan(node.threshold)) return nullptr;
        use.continuous = true;
        use.cuts.push_back(node.threshold);
        continue;
      }
      const CategoricalSplit& split = cats[static_cast<std::size_t>(node.cat)];
      if (!split.others.empty() || (split.mask >> kOtherCategory) != 0) return nullptr;
      use.categorical = true;
    }
  }
  auto forest = std::unique_ptr<BinnedForest>(new BinnedForest());
  std::map<std::int32_t, std::uint32_t> position;
  for (auto& [index, use] : uses) {
    if (use.continuous && use.categorical) return nullptr;
    std::sort(use.cuts.begin(), use.cuts.end());
    use.cuts.erase(std::unique(use.cuts.begin(), use.cuts.end()), use.cuts.end());
    if (use.cuts.size() > kMaxCuts || (forest->used_features_.size() + 1) * kLanes > kMaxIndex)
      return nullptr;
    position[index] = static_cast<std::uint32_t>(forest->used_features_.size());
    forest->used_features_.push_back(
        {static_cast<std::uint32_t>(index), use.categorical, std::move(use.cuts)});
  }
  // Leaves read feature 0 of the binned row, so a row has at least one byte.
  if (forest->used_features_.empty()) forest->used_features_.push_back({});
  // masks_[r] for r <= 62 is the continuous split on the rank-r threshold; then "always left"
  // for leaves (a leaf loops to itself), then the category sets as they come.
  std::map<std::uint64_t, std::uint16_t> mask_index;
  auto mask_of = [&](std::uint64_t bits) {
    auto [it, added] = mask_index.emplace(bits, static_cast<std::uint16_t>(forest->masks_.size()));
    if (added) forest->masks_.push_back(bits);
    return it->second;
  };
  for (std::size_t rank = 0; rank < kMaxCuts; ++rank) mask_of((std::uint64_t{2} << rank) - 1);
  const std::uint16_t leaf_mask = mask_of(kAllBins);

  for (const auto& tree : trees) {
    Tree out;
    out.first_node = forest->nodes_.size();
    struct Pending {
      std::size_t flat;
      std::size_t slot;
      std::size_t depth;
    };
    // Breadth-first, so the top levels every row visits share cache lines.
    std::deque<Pending> queue{{0, 0, 0}};
    forest->nodes_.push_back(0);
    forest->payload_.push_back(-1);
    while (!queue.empty()) {
      const Pending p = queue.front();
      queue.pop_front();
      const FlatNode& flat = tree.nodes[p.flat];
      const std::size_t slot = out.first_node + p.slot;
      if (flat.feature < 0) {
        forest->nodes_[slot] = pack(slot + 1, 0, leaf_mask);
        forest->payload_[slot] = flat.right;
        out.depth = std::max(out.depth, p.depth);
        continue;
      }
      const std::uint32_t feature = position[flat.feature];
      const Feature& f = forest->used_features_[feature];
      std::uint64_t left_bins = 0;
      if (flat.cat < 0) {
        const auto rank = static_cast<std::size_t>(
            std::lower_bound(f.cuts.begin(), f.cuts.end(), flat.threshold) - f.cuts.begin());
        left_bins = (std::uint64_t{2} << rank) - 1;  // bins 0..rank hold x <= threshold
      } else {
        const CategoricalSplit& split = cats[static_cast<std::size_t>(flat.cat)];
        for (std::uint8_t b = 0; b < kOtherCategory; ++b) {
          if (split.goes_left(b)) left_bins |= std::uint64_t{1} << b;
        }
        if (split.goes_left(std::numeric_limits<double>::quiet_NaN()))
          left_bins |= std::uint64_t{1} << kOtherCategory;
      }
      const std::size_t left = forest->nodes_.size() - out.first_node;
      if (mask_index.size() >= kMaxIndex && mask_index.count(left_bins) == 0) return nullptr;
      if (forest->nodes_.size() + 2 > std::numeric_limits<std::uint32_t>::max()) return nullptr;
      forest->nodes_[slot] = pack(out.first_node + left + 1, feature, mask_of(left_bins));
      forest->nodes_.resize(forest->nodes_.size() + 2);
      forest->payload_.resize(forest->payload_.size() + 2, -1);
      queue.push_back({p.flat + 1, left, p.depth + 1});
      queue.push_back({static_cast<std::size_t>(flat.right), left + 1, p.depth + 1});
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
  std::fill(out + count / kLanes * kLanes * features, out + binned_bytes(count), std::uint8_t{0});
  for (std::size_t k = 0; k < features; ++k) {
    const Feature& f = used_features_[k];
    const double* cuts = f.cuts.data();
    const std::size_t cut_count = f.cuts.size();
    const double* v = rows + begin * width + f.index;
    for (std::size_t r = 0; r < count; ++r, v += width) {
      std::uint8_t bin = 0;
      if (f.categorical) {
        const double x = *v;
        bin = (x >= 0 && x < kOtherCategory && x == std::floor(x)) ? static_cast<std::uint8_t>(x)
                                                                   : kOtherCategory;
      } else if (cut_count > 0) {
        // NaN <= t is false for every threshold: NaN ranks after all of them.
        const double x = *v;
        bin = std::isnan(x) ? static_cast<std::uint8_t>(cut_count)
                            : lower_bound_index(cuts, cut_count, x);
      }
      out[(r / kLanes * features + k) * kLanes + r % kLanes] = bin;
    }
  }
}

void BinnedForest::walk(const Tree& tree, const std::uint8_t* group, std::int32_t* leaves) const {
  const Node* nodes = nodes_.data();
  const std::uint64_t* masks = masks_.data();
  std::array<std::uint32_t, kLanes> at;
  at.fill(static_cast<std::uint32_t>(tree.first_node));
  // Every lane takes `depth` steps (a leaf loops to itself): the lanes' loads are independent,
  // so their latencies overlap instead of adding up.
  for (std::size_t step = 0; step < tree.depth; ++step) {
    for (std::size_t lane = 0; lane < kLanes; ++lane) {
      const Node n = nodes[at[lane]];
      const unsigned bin = group[((n >> 32) & 0xFFFF) + lane];
      at[lane] =
          static_cast<std::uint32_t>(n) - static_cast<std::uint32_t>((masks[n >> 48] >> bin) & 1U);
    }
  }
  for (std::size_t lane = 0; lane < kLanes; ++lane) {
    leaves[lane] = payload_[at[lane]];
  }
}

void BinnedForest::find_leaves(std::size_t tree, const std::uint8_t* binned, std::size_t count,
                               std::int32_t* leaves) const {
  const Tree& t = trees_[tree];
  const std::size_t group_bytes = kLanes * used_features_.size();
  std::size_t r = 0;
  for (; r + kLanes <= count; r += kLanes, binned += group_bytes) walk(t, binned, leaves + r);
  if (r < count) {
    std::array<std::int32_t, kLanes> tail{};
    walk(t, binned, tail.data());
    std::copy(tail.begin(), tail.begin() + static_cast<std::ptrdiff_t>(count - r), leaves + r);
  }
}

}  // namespace dbk::scorer::detail
