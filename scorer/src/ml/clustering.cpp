// KMeansModel and BisectingKMeansModel: the index of the closest cluster centre, or leaf of
// the bisecting tree (docs/scorer.md, "Supported stages"). Spark writes the index as an int.

#include <cmath>
#include <limits>
#include <map>

#include "ml/feature_stage.hpp"

namespace dbk::scorer::detail {

namespace {

double norm2(const double* v, std::size_t n) {
  double s = 0.0;
  for (std::size_t k = 0; k < n; ++k) s += v[k] * v[k];
  return std::sqrt(s);
}

double dot(const double* a, const double* b, std::size_t n) {
  double s = 0.0;
  for (std::size_t k = 0; k < n; ++k) s += a[k] * b[k];
  return s;
}

double sqdist(const double* a, const double* b, std::size_t n) {
  double s = 0.0;
  for (std::size_t k = 0; k < n; ++k) s += (a[k] - b[k]) * (a[k] - b[k]);
  return s;
}

struct Centre {
  std::vector<double> v;
  double norm = 0.0;
};

// DistanceMeasure.cost as mllib computes it: for euclidean, MLUtils.fastSquaredDistance (a
// dense row: the direct squared distance; a sparse row: ‖a‖² + ‖b‖² − 2a·b where that is
// precise enough), for cosine 1 − a·b / ‖a‖ / ‖b‖. Only a near tie between two clusters could
// tell the roundings apart: the scorer's sums are in index order.
double cost(bool cosine, const Centre& c, const double* x, double x_norm, bool sparse,
            std::size_t n) {
  if (cosine) return 1.0 - dot(c.v.data(), x, n) / c.norm / x_norm;
  if (!sparse) return sqdist(c.v.data(), x, n);
  constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
  const double sum_sq = c.norm * c.norm + x_norm * x_norm;
  const double diff = c.norm - x_norm;
  if (2.0 * kEpsilon * sum_sq / (diff * diff + kEpsilon) < 1e-6) {
    return sum_sq - 2.0 * dot(c.v.data(), x, n);
  }
  const double d = dot(c.v.data(), x, n);
  const double sq = std::max(sum_sq - 2.0 * d, 0.0);
  if (kEpsilon * (sum_sq + 2.0 * std::fabs(d)) / (sq + kEpsilon) > 1e-6) {
    return sqdist(c.v.data(), x, n);
  }
  return sq;
}

class ClusterStage : public Stage {
 public:
  std::string name, features_col, prediction_col;
  bool cosine = false;
  std::size_t width = 0;

  Status transform(Frame& frame) const override {
    auto in = features_of(frame, name, features_col, width);
    if (!in.ok()) return std::move(in).error();
    const ScoredColumn& x = **in;
    auto pred = new_double_column(prediction_col, frame.rows());
    pred.integer = true;  // Spark's prediction column is IntegerType
    pred.valid = x.valid;
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (!frame.alive()[r] || !x.valid[r]) continue;
      const double x_norm = norm2(x.vector(r), width);
      if (cosine && x_norm == 0.0) {
        return data_error(name, "Cosine distance is not defined for zero-length vectors (row " +
                                    std::to_string(r) + ")");
      }
      pred.numbers[r] = predict(x.vector(r), x_norm, x.is_sparse(r));
    }
    frame.add(std::move(pred));
    return {};
  }

 protected:
  virtual double predict(const double* x, double x_norm, bool sparse) const = 0;
};

// KMeansModel.predict: the first centre of least cost.
class KMeansStage : public ClusterStage {
 public:
  std::vector<Centre> centres;

 protected:
  double predict(const double* x, double x_norm, bool sparse) const override {
    double best = HUGE_VAL;
    std::size_t index = 0;
    for (std::size_t k = 0; k < centres.size(); ++k) {
      const double d = cost(cosine, centres[k], x, x_norm, sparse, width);
      if (d < best) {
        best = d;
        index = k;
      }
    }
    return static_cast<double>(index);
  }
};

// BisectingKMeansModel: from the root, into the first child of least cost, to a leaf.
class BisectingStage : public ClusterStage {
 public:
  struct Node {
    Centre centre;
    std::int64_t index = 0;
    std::vector<std::size_t> children;  // positions in `nodes`
  };
  std::vector<Node> nodes;
  std::size_t root = 0;

 protected:
  double predict(const double* x, double x_norm, bool sparse) const override {
    std::size_t at = root;
    for (std::size_t depth = 0; !nodes[at].children.empty() && depth <= nodes.size(); ++depth) {
      double best = HUGE_VAL;
      std::size_t next = nodes[at].children[0];
      for (std::size_t child : nodes[at].children) {
        const double d = cost(cosine, nodes[child].centre, x, x_norm, sparse, width);
        if (d < best) {
          best = d;
          next = child;
        }
      }
      at = next;
    }
    return static_cast<double>(nodes[at].index);
  }
};

template <class S>
std::shared_ptr<S> new_cluster_stage(const StageMeta& meta) {
  auto stage = std::make_shared<S>();
  stage->name = stage_name(meta);
  stage->features_col = meta.string_param("featuresCol", "features");
  stage->prediction_col = meta.string_param("predictionCol", "prediction");
  return stage;
}

Result<bool> cosine_measure(const StageMeta& meta, const std::string& measure) {
  if (measure == "euclidean") return false;
  if (measure == "cosine") return true;
  return model_error(meta, "unknown distanceMeasure '" + measure + "'");
}

LoadResult cluster_loaded(std::shared_ptr<ClusterStage> stage, StageInfo& info) {
  info.input_columns = {stage->features_col};
  info.output_columns = {stage->prediction_col};
  return std::shared_ptr<const Stage>(std::move(stage));
}

}  // namespace

LoadResult load_kmeans(const StageMeta& meta, StageInfo& info) {
  auto stage = new_cluster_stage<KMeansStage>(meta);
  auto cosine = cosine_measure(meta, meta.string_param("distanceMeasure", "euclidean"));
  if (!cosine.ok()) return std::move(cosine).error();
  stage->cosine = *cosine;
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  const Column* idx = data->find("clusterIdx");
  const Column* centre = data->find("clusterCenter");
  if (idx == nullptr || centre == nullptr || data->num_rows == 0) {
    return model_error(meta, "data has no clusterIdx and clusterCenter");
  }
  std::map<std::int64_t, Centre> by_index;
  for (std::size_t r = 0; r < data->num_rows; ++r) {
    Centre c;
    if (idx->is_null(r) || !vector_from_value(centre->value(r), c.v)) {
      return model_error(meta, "cluster " + std::to_string(r) + " has no centre");
    }
    c.norm = norm2(c.v.data(), c.v.size());
    by_index[static_cast<std::int64_t>(idx->number(r))] = std::move(c);
  }
  const std::size_t width = by_index.begin()->second.v.size();
  for (auto& [k, c] : by_index) {
    if (k != static_cast<std::int64_t>(stage->centres.size()) || c.v.size() != width) {
      return model_error(meta, "cluster indices or centre sizes are inconsistent");
    }
    stage->centres.push_back(std::move(c));
  }
  stage->width = stage->centres.front().v.size();
  return cluster_loaded(stage, info);
}

// The mllib model under data/: its nodes in data/data (index, center, children, ...); the root
// is the node no other names as a child.
LoadResult load_bisecting_kmeans(const StageMeta& meta, StageInfo& info) {
  auto stage = new_cluster_stage<BisectingStage>(meta);
  auto cosine = cosine_measure(meta, meta.string_param("distanceMeasure", "euclidean"));
  if (!cosine.ok()) return std::move(cosine).error();
  stage->cosine = *cosine;
  auto data = read_stage_table(meta.path, "data/data");
  if (!data.ok()) return std::move(data).error();
  const Column* idx = data->find("index");
  const Column* centre = data->find("center");
  const Column* norm = data->find("norm");
  const Column* children = data->find("children");
  if (idx == nullptr || centre == nullptr || norm == nullptr || children == nullptr ||
      data->num_rows == 0) {
    return model_error(meta, "data/data has no index, center, norm and children");
  }
  std::map<std::int64_t, std::size_t> position;
  std::vector<std::vector<std::int64_t>> child_ids(data->num_rows);
  for (std::size_t r = 0; r < data->num_rows; ++r) {
    BisectingStage::Node node;
    if (idx->is_null(r) || norm->is_null(r) ||
        !vector_from_value(centre->value(r), node.centre.v)) {
      return model_error(meta, "node " + std::to_string(r) + " is incomplete");
    }
    node.index = static_cast<std::int64_t>(idx->number(r));
    node.centre.norm = norm->number(r);
    for (const auto& c : children->value(r).items) child_ids[r].push_back(c.i);
    if (!position.emplace(node.index, r).second) {
      return model_error(meta, "node index " + std::to_string(node.index) + " appears twice");
    }
    stage->nodes.push_back(std::move(node));
  }
  std::vector<bool> is_child(stage->nodes.size(), false);
  for (std::size_t r = 0; r < stage->nodes.size(); ++r) {
    if (stage->nodes[r].centre.v.size() != stage->nodes[0].centre.v.size()) {
      return model_error(meta, "centres differ in size");
    }
    for (std::int64_t id : child_ids[r]) {
      auto it = position.find(id);
      if (it == position.end() || is_child[it->second] || it->second == r) {
        return model_error(meta, "node " + std::to_string(stage->nodes[r].index) +
                                     " names a missing or shared child");
      }
      is_child[it->second] = true;
      stage->nodes[r].children.push_back(it->second);
    }
  }
  std::size_t roots = 0;
  for (std::size_t r = 0; r < is_child.size(); ++r) {
    if (!is_child[r]) {
      stage->root = r;
      ++roots;
    }
  }
  if (roots != 1) return model_error(meta, "the cluster tree has no single root");
  stage->width = stage->nodes[0].centre.v.size();
  return cluster_loaded(stage, info);
}

}  // namespace dbk::scorer::detail
