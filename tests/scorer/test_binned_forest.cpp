// BinnedForest must reach the same leaf as walking the tree with Spark's split rule
// (docs/reference/spark-models.md §2.1: `x <= threshold`, NaN right; category sets with
// non-members going right when isLeft and left otherwise), for every value a row can hold, and
// must refuse models it cannot represent so the caller walks them directly.

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>

#include "dbk/scorer/scorer.hpp"
#include "ml/binned_forest.hpp"
#include "support.hpp"

using dbk::scorer::detail::BinnedForest;
using dbk::scorer::detail::CategoricalSplit;
using dbk::scorer::detail::FlatNode;
using dbk::scorer::detail::FlatTree;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The direct walk, written from the rule rather than shared with the scorer.
std::int32_t reference_leaf(const FlatTree& tree, const std::vector<CategoricalSplit>& cats,
                            const std::vector<double>& x) {
  std::size_t i = 0;
  while (tree.nodes[i].feature >= 0) {
    const FlatNode& n = tree.nodes[i];
    const double v = x[static_cast<std::size_t>(n.feature)];
    bool left = false;
    if (n.cat < 0) {
      left = v <= n.threshold;
    } else {
      const CategoricalSplit& c = cats[static_cast<std::size_t>(n.cat)];
      bool member = false;
      if (v >= 0 && v < 64 && v == std::floor(v)) member = (c.mask >> static_cast<int>(v)) & 1u;
      left = c.is_left ? member : !member;
    }
    i = left ? i + 1 : static_cast<std::size_t>(n.right);
  }
  return tree.nodes[i].right;
}

struct RandomModel {
  std::vector<FlatTree> trees;
  std::vector<CategoricalSplit> cats;
  std::vector<std::vector<double>> thresholds;  // per continuous feature
  std::vector<int> categories;                  // per feature: 0 continuous, else count
};

// Appends a random subtree in pre-order; leaves get consecutive payload indices.
void grow(RandomModel& m, FlatTree& t, std::mt19937_64& rng, int depth, std::int32_t& leaves) {
  const auto index = t.nodes.size();
  t.nodes.push_back({0.0, -1, -1, -1});
  if (depth == 0 || std::uniform_int_distribution<int>(0, 5)(rng) == 0) {
    t.nodes[index].right = leaves++;
    return;
  }
  const auto f = std::uniform_int_distribution<std::size_t>(0, m.categories.size() - 1)(rng);
  t.nodes[index].feature = static_cast<std::int32_t>(f);
  if (m.categories[f] == 0) {
    const auto& cuts = m.thresholds[f];
    t.nodes[index].threshold =
        cuts[std::uniform_int_distribution<std::size_t>(0, cuts.size() - 1)(rng)];
  } else {
    CategoricalSplit c;
    const int n = m.categories[f];
    const int size = std::uniform_int_distribution<int>(1, n - 1)(rng);
    c.is_left = size <= n / 2;
    for (int k = 0; k < n; ++k) {
      if (std::uniform_int_distribution<int>(0, 1)(rng) == 1) c.mask |= std::uint64_t{1} << k;
    }
    t.nodes[index].cat = static_cast<std::int32_t>(m.cats.size());
    m.cats.push_back(c);
  }
  grow(m, t, rng, depth - 1, leaves);
  t.nodes[index].right = static_cast<std::int32_t>(t.nodes.size());
  grow(m, t, rng, depth - 1, leaves);
}

RandomModel random_model(std::mt19937_64& rng, std::size_t cuts_per_feature, int most_categories) {
  RandomModel m;
  m.categories = {0, 0, 5, 0, most_categories, 0, 2};
  m.thresholds.resize(m.categories.size());
  std::normal_distribution<double> normal(0, 10);
  for (std::size_t f = 0; f < m.categories.size(); ++f) {
    if (m.categories[f] != 0) continue;
    m.thresholds[f] = {0.0, -0.0, -kInf, kInf, std::numeric_limits<double>::denorm_min()};
    while (m.thresholds[f].size() < cuts_per_feature) m.thresholds[f].push_back(normal(rng));
  }
  for (int t = 0; t < 12; ++t) {
    FlatTree tree;
    std::int32_t leaves = 0;
    grow(m, tree, rng, 12, leaves);
    m.trees.push_back(std::move(tree));
  }
  return m;
}

// A value for feature f: the thresholds themselves, their neighbours, NaN, infinities, signed
// zeros, categories in and out of range, fractions.
double random_value(const RandomModel& m, std::size_t f, std::mt19937_64& rng) {
  const int pick = std::uniform_int_distribution<int>(0, 9)(rng);
  if (pick == 0) return kNaN;
  if (pick == 1) return std::uniform_int_distribution<int>(0, 1)(rng) ? -0.0 : 0.0;
  if (m.categories[f] != 0) {
    const double choices[] = {-1.0, 0.5, 63.0, 64.0, 1e9, static_cast<double>(m.categories[f])};
    if (pick == 2) return choices[std::uniform_int_distribution<int>(0, 5)(rng)];
    return static_cast<double>(std::uniform_int_distribution<int>(0, m.categories[f] - 1)(rng));
  }
  const auto& cuts = m.thresholds[f];
  const double t = cuts[std::uniform_int_distribution<std::size_t>(0, cuts.size() - 1)(rng)];
  if (pick == 2) return std::nextafter(t, kInf);
  if (pick == 3) return std::nextafter(t, -kInf);
  if (pick == 4) return std::uniform_int_distribution<int>(0, 1)(rng) ? kInf : -kInf;
  if (pick == 5) return std::normal_distribution<double>(0, 20)(rng);
  return t;
}

// A complete tree of the given depth: 2^(depth+1) - 1 nodes.
void grow_complete(RandomModel& m, FlatTree& t, std::mt19937_64& rng, int depth,
                   std::int32_t& leaves) {
  const auto index = t.nodes.size();
  t.nodes.push_back({0.0, -1, leaves, -1});
  if (depth == 0) {
    ++leaves;
    return;
  }
  const auto& cuts = m.thresholds[0];
  t.nodes[index].feature = 0;
  t.nodes[index].threshold =
      cuts[std::uniform_int_distribution<std::size_t>(0, cuts.size() - 1)(rng)];
  grow_complete(m, t, rng, depth - 1, leaves);
  t.nodes[index].right = static_cast<std::int32_t>(t.nodes.size());
  grow_complete(m, t, rng, depth - 1, leaves);
}

// Bins random rows of `m` and checks every tree's leaves against the reference walk.
void check_against_reference(const RandomModel& m, std::mt19937_64& rng,
                             std::size_t expected_bins) {
  auto forest = BinnedForest::build(m.trees, m.cats);
  REQUIRE(forest != nullptr);
  CHECK(forest->bins() == expected_bins);
  const std::size_t width = m.categories.size() + 1;  // one feature no split uses
  const std::size_t rows = 1003;                      // not a multiple of the lane count
  std::vector<double> matrix(rows * width);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t f = 0; f < m.categories.size(); ++f)
      matrix[r * width + f] = random_value(m, f, rng);
    matrix[r * width + m.categories.size()] = kNaN;
  }
  // Bin an inner range, as a block of a larger table.
  const std::size_t begin = 7;
  const std::size_t count = rows - begin;
  std::vector<std::uint8_t> binned(forest->binned_bytes(count));
  forest->bin_rows(matrix.data(), width, begin, rows, binned.data());
  std::vector<std::int32_t> leaves(count);
  std::size_t mismatches = 0;
  for (std::size_t t = 0; t < m.trees.size(); ++t) {
    forest->find_leaves(t, binned.data(), count, leaves.data());
    for (std::size_t r = 0; r < count; ++r) {
      const std::vector<double> x(
          matrix.begin() + static_cast<std::ptrdiff_t>((begin + r) * width),
          matrix.begin() + static_cast<std::ptrdiff_t>((begin + r + 1) * width));
      if (leaves[r] != reference_leaf(m.trees[t], m.cats, x)) ++mismatches;
    }
  }
  CHECK(mismatches == 0);
}

}  // namespace

TEST_CASE("binned walks reach Spark's leaf for every kind of value", "[scorer][binned]") {
  for (std::uint64_t seed : {1u, 2u, 3u, 20261127u}) {
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    SECTION("maxBins 32, Spark's default: 8-byte nodes") {
      check_against_reference(random_model(rng, 31, 12), rng, 32);
    }
    SECTION("32 categories: 16-byte nodes") {
      check_against_reference(random_model(rng, 31, 32), rng, 64);
    }
    SECTION("63 thresholds, the most a bin byte and mask hold: 16-byte nodes") {
      check_against_reference(random_model(rng, 63, 12), rng, 64);
    }
  }
}

TEST_CASE("trees of more than 65,535 nodes take the 16-byte nodes", "[scorer][binned]") {
  std::mt19937_64 rng(7);
  RandomModel m = random_model(rng, 31, 12);
  FlatTree big;
  std::int32_t leaves = 0;
  grow_complete(m, big, rng, 15, leaves);  // 65,535 nodes: the most 8-byte nodes address
  m.trees.push_back(big);
  check_against_reference(m, rng, 32);
  big.nodes.clear();
  leaves = 0;
  grow_complete(m, big, rng, 16, leaves);
  m.trees.push_back(big);
  check_against_reference(m, rng, 64);
}

TEST_CASE("models that do not fit 64 bins are left to the direct walk", "[scorer][binned]") {
  auto split = [](std::int32_t feature, double threshold, std::int32_t right) {
    return FlatNode{threshold, feature, right, -1};
  };
  auto leaf = [](std::int32_t payload) { return FlatNode{0.0, -1, payload, -1}; };
  FlatTree stump;
  stump.nodes = {split(0, 1.0, 2), leaf(0), leaf(1)};
  REQUIRE(BinnedForest::build({stump}, {}) != nullptr);

  SECTION("64 distinct thresholds on one feature") {
    std::vector<FlatTree> trees;
    for (int k = 0; k < 64; ++k) {
      FlatTree t;
      t.nodes = {split(0, k * 0.5, 2), leaf(0), leaf(1)};
      trees.push_back(t);
    }
    CHECK(BinnedForest::build(trees, {}) == nullptr);
    trees.pop_back();
    CHECK(BinnedForest::build(trees, {}) != nullptr);
  }
  SECTION("a NaN threshold") {
    FlatTree t;
    t.nodes = {split(0, kNaN, 2), leaf(0), leaf(1)};
    CHECK(BinnedForest::build({t}, {}) == nullptr);
  }
  SECTION("a category set with a member at 63 or above") {
    CategoricalSplit c;
    c.mask = std::uint64_t{1} << 63;
    FlatTree t;
    t.nodes = {{0.0, 0, 2, 0}, leaf(0), leaf(1)};
    CHECK(BinnedForest::build({t}, {c}) == nullptr);
    c.mask = 1;
    c.others = {100.0};
    CHECK(BinnedForest::build({t}, {c}) == nullptr);
    c.others.clear();
    CHECK(BinnedForest::build({t}, {c}) != nullptr);
  }
}

TEST_CASE("binned and direct tree walks score every fixture model identically",
          "[scorer][binned][spark]") {
  std::size_t models = 0;
  for (const auto& dir : std::filesystem::directory_iterator(scorer_test::fixtures())) {
    if (dir.path().filename().string().rfind("spark-", 0) != 0) continue;
    for (const char* name : {"rf_seed", "dt_thresholds", "gbt_binary", "rf_regression",
                             "dt_regression", "gbt_regression", "feature_zoo"}) {
      const auto path = dir.path() / name / "model";
      if (!std::filesystem::exists(path)) continue;
      INFO(path.string());
      auto model = dbk::scorer::load_pipeline_model(path.string());
      REQUIRE(model.ok());
      auto input =
          dbk::scorer::read_table(scorer_test::scoring_input_of(dir.path().string(), name));
      REQUIRE(input.ok());
      dbk::scorer::ScoreOptions options;
      if (scorer_test::is_tree_pipeline(name)) {
        options.assemble_columns = scorer_test::tree_pipeline_raw_columns();
        options.assemble_handle_invalid = "keep";
      }
      options.threads = 2;
      options.block_rows = 37;
      auto binned = dbk::scorer::score_table(*model, *input, options);
      options.binned_trees = false;
      auto direct = dbk::scorer::score_table(*model, *input, options);
      REQUIRE(binned.ok());
      REQUIRE(direct.ok());
      REQUIRE(binned->columns.size() == direct->columns.size());
      for (std::size_t c = 0; c < binned->columns.size(); ++c) {
        INFO("column " << binned->columns[c].name);
        const auto& a = binned->columns[c].numbers;
        const auto& b = direct->columns[c].numbers;
        REQUIRE(a.size() == b.size());
        std::size_t differ = 0;
        for (std::size_t k = 0; k < a.size(); ++k) {
          if (!scorer_test::same_double(a[k], b[k]) || std::signbit(a[k]) != std::signbit(b[k]))
            ++differ;
        }
        CHECK(differ == 0);
        CHECK(binned->columns[c].valid == direct->columns[c].valid);
      }
      ++models;
    }
  }
  CHECK(models >= 14);
}
