#pragma once

// Exact, branch-free traversal of a tree ensemble over per-feature bins.
//
// Every split compares one feature with a threshold (`x <= t`, NaN goes right) or tests a small
// category set (reference spark-model-format.md §2.1). Spark draws continuous thresholds from at
// most maxBins - 1 candidates per feature (default maxBins 32), so across a whole ensemble each
// feature has few distinct thresholds. A row's value is replaced once by its bin: its rank among
// the feature's sorted thresholds (NaN after all of them), or the category itself. Then every
// split, of either kind, is one bit of a 64-bit mask indexed by the bin, and a step is
// `next = right - bit` with the two children side by side (§5.3). The masks are few (one per
// threshold rank, plus the distinct category sets), so nodes name theirs by index and pack into
// 8 bytes, read with one load: a tree of a few thousand nodes stays in L1. The comparisons are the
// same comparisons of doubles, done once per row and feature instead of once per node, so results
// are bit-identical to the direct walk.
//
// Built only when every feature fits 64 bins (continuous: at most 63 distinct thresholds;
// categorical: categories and set members below 63) and the masks fit 16-bit indices; otherwise
// the caller walks the trees directly.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "ml/tree_nodes.hpp"

namespace dbk::scorer::detail {

class BinnedForest {
 public:
  /// nullptr when some feature needs more than 64 bins.
  static std::unique_ptr<BinnedForest> build(const std::vector<FlatTree>& trees,
                                             const std::vector<CategoricalSplit>& cats);

  /// Bytes that bin_rows writes for `count` rows.
  std::size_t binned_bytes(std::size_t count) const {
    return (count + kLanes - 1) / kLanes * kLanes * used_features_.size();
  }

  /// Bins rows [begin, end) of a row-major matrix with `width` doubles per row into `out`
  /// (binned_bytes(end - begin) bytes, laid out for find_leaves).
  void bin_rows(const double* rows, std::size_t width, std::size_t begin, std::size_t end,
                std::uint8_t* out) const;

  /// For tree `tree`, the payload index of the leaf each of `count` binned rows reaches.
  void find_leaves(std::size_t tree, const std::uint8_t* binned, std::size_t count,
                   std::int32_t* leaves) const;

 private:
  // Rows walk a tree kLanes at a time. Their bins are stored feature-major within each group of
  // kLanes rows, so one base pointer per group addresses every lane's bin.
  static constexpr std::size_t kLanes = 8;

  // A node packs, from the low bits: the index in nodes_ of its right child (32 bits; the left
  // child is the one before it; a leaf stores itself + 1 and the always-left mask, so it loops
  // to itself), the offset of its feature's bins within a group (16 bits: feature * kLanes), and
  // the index of its mask in masks_ (16 bits).
  using Node = std::uint64_t;
  static Node pack(std::size_t right, std::size_t feature, std::uint16_t mask) {
    return static_cast<std::uint64_t>(right) | static_cast<std::uint64_t>(feature * kLanes) << 32 |
           static_cast<std::uint64_t>(mask) << 48;
  }
  struct Feature {
    std::uint32_t index = 0;  // position in the input vector
    bool categorical = false;
    std::vector<double> cuts;  // continuous: sorted distinct thresholds
  };
  struct Tree {
    std::size_t first_node = 0;
    std::size_t depth = 0;  // longest root-to-leaf path, in steps
  };

  void walk(const Tree& tree, const std::uint8_t* group, std::int32_t* leaves) const;

  std::vector<Feature> used_features_;
  std::vector<Tree> trees_;
  std::vector<Node> nodes_;
  std::vector<std::uint64_t> masks_;   // bit b set: a row in bin b goes left
  std::vector<std::int32_t> payload_;  // per node; leaves only
};

}  // namespace dbk::scorer::detail
