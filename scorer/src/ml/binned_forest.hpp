#pragma once

// Exact, branch-free traversal of a tree ensemble over per-feature bins.
//
// Every split compares one feature with a threshold (`x <= t`, NaN goes right) or tests a small
// category set (docs/reference/spark-models.md §2.1). Spark draws continuous thresholds from at
// most maxBins - 1 candidates per feature (default maxBins 32), so across a whole ensemble each
// feature has few distinct thresholds. A row's value is replaced once by its bin: its rank among
// the feature's sorted thresholds (NaN with the values above all of them), or the category
// itself. Then every split, of either kind, is a bit mask over the bins ("a row in bin b goes
// left"), stored in the node, and a step is `next = right - bit` with the two children side by
// side (§5.3): a node load, a bin load and three instructions, no branch. The comparisons are the
// same comparisons of doubles, done once per row and feature instead of once per node, so results
// are bit-identical to the direct walk.
//
// Two node layouts, one walk. When every feature fits 32 bins (Spark's default maxBins) and every
// tree has at most 65,535 nodes, a node is 8 bytes: a tree of a few thousand nodes stays in L1.
// Otherwise, up to 64 bins, a node is 16 bytes. Beyond that the caller walks the trees directly.

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

  /// Bins per feature of the layout chosen: 32 or 64.
  std::size_t bins() const { return other_category_ + std::size_t{1}; }

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

  // A split as both layouts need it. `right` is the index of the right child within its tree
  // (the left child is the one before it); a leaf stores itself + 1 and the all-bins mask, so it
  // loops to itself. `offset` is the feature's offset within a group of bins: feature * kLanes.
  struct Split {
    std::uint64_t left_bins = 0;  // bit b set: a row in bin b goes left
    std::uint32_t right = 0;
    std::uint32_t offset = 0;
  };
  // 8 bytes, from the low bits: the offset (16 bits), the mask over 32 bins, the right child
  // (16 bits). Bins are stored plus kBinBias, so the stored byte shifts the mask bit down as is.
  struct NarrowNode {
    std::uint64_t bits;
    static constexpr std::size_t kMaxBins = 32;
    static constexpr std::size_t kMaxIndex = 0xFFFF;
    static constexpr unsigned kBinBias = 16;
    explicit NarrowNode(const Split& s)
        : bits(std::uint64_t{s.offset} | (s.left_bins & 0xFFFFFFFFU) << kBinBias |
               std::uint64_t{s.right} << 48) {}
    std::size_t offset() const { return bits & 0xFFFF; }
    std::size_t next(unsigned biased_bin) const {
      std::size_t right = bits >> 48;
#if defined(__x86_64__) && defined(__GNUC__)
      // `bt` copies the bin's bit to the carry flag and `sbb` subtracts it: two instructions
      // where shift, mask and subtract take three, in a walk bound by instruction throughput.
      asm("btq %[bin], %[bits]\n\tsbbq $0, %[right]"
          : [right] "+r"(right)
          : [bits] "r"(bits), [bin] "r"(std::uint64_t{biased_bin})
          : "cc");
      return right;
#else
      return right - ((bits >> biased_bin) & 1U);
#endif
    }
  };
  struct WideNode {
    std::uint64_t left_bins;
    std::uint32_t right;
    std::uint32_t offset_;
    static constexpr std::size_t kMaxBins = 64;
    static constexpr std::size_t kMaxIndex = 0xFFFFFFFF;
    static constexpr unsigned kBinBias = 0;
    explicit WideNode(const Split& s) : left_bins(s.left_bins), right(s.right), offset_(s.offset) {}
    std::size_t offset() const { return offset_; }
    std::size_t next(unsigned bin) const { return right - ((left_bins >> bin) & 1U); }
  };
  struct Feature {
    std::uint32_t index = 0;  // position in the input vector
    bool categorical = false;
    // Continuous: the sorted distinct thresholds, then +inf up to the layout's bin count.
    std::vector<double> cuts;
    std::size_t cut_count = 0;  // thresholds in `cuts`
  };
  struct Tree {
    std::size_t first_node = 0;
    std::size_t depth = 0;  // longest root-to-leaf path, in steps
  };

  template <std::size_t kBins>
  void bin_feature(const Feature& f, const double* values, std::size_t width, std::size_t count,
                   std::size_t features, std::uint8_t* out) const;
  template <typename Node>
  void find_leaves(const std::vector<Node>& nodes, std::size_t tree, const std::uint8_t* binned,
                   std::size_t count, std::int32_t* leaves) const;
  template <typename Node>
  void walk(const Node* nodes, const Tree& tree, const std::uint8_t* group,
            std::int32_t* leaves) const;

  std::uint8_t other_category_ = 0;  // the bin of categorical values no split names
  std::uint8_t bin_bias_ = 0;        // the layout's kBinBias
  std::vector<Feature> used_features_;
  std::vector<Tree> trees_;
  std::vector<NarrowNode> narrow_;  // one of these two holds the nodes
  std::vector<WideNode> wide_;
  std::vector<std::int32_t> payload_;  // per node; leaves only
};

}  // namespace dbk::scorer::detail
