#pragma once

// Flattened decision trees as loaded from a Spark tree model's node table (see
// docs/reference/spark-models.md §1.4): pre-order arrays where the left child is the next node.

#include <cmath>
#include <cstdint>
#include <vector>

namespace dbk::scorer::detail {

struct FlatNode {
  double threshold;
  std::int32_t feature;  // -1 for a leaf
  std::int32_t right;    // internal: right child index; leaf: payload index
  std::int32_t cat;      // -1 continuous, else index into the CategoricalSplit table
};

// docs/reference/spark-models.md §2.1: Spark tests membership in the smaller of L and its
// complement, so values outside [0, numCategories) go right when isLeft and left otherwise.
struct CategoricalSplit {
  bool is_left = true;
  std::uint64_t mask = 0;      // members that are integers in [0, 64)
  std::vector<double> others;  // any other members
  bool contains(double x) const {
    if (x >= 0 && x < 64 && x == std::floor(x)) return (mask >> static_cast<int>(x)) & 1u;
    for (double o : others) {
      if (o == x) return true;
    }
    return false;
  }
  bool goes_left(double x) const { return is_left ? contains(x) : !contains(x); }
};

struct FlatTree {
  std::vector<FlatNode> nodes;
};

}  // namespace dbk::scorer::detail
