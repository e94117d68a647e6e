#pragma once

// What Spark's ClassificationModel and ProbabilisticClassificationModel do around a model's
// predictRaw: the rawPrediction, probability and prediction columns, each written only when
// its param is not empty, the prediction taken from the probabilities (with `thresholds`: the
// largest p / t, first wins) or else from the raw scores (first maximum).

#include <string>
#include <vector>

#include "ml/stages.hpp"

namespace dbk::scorer::detail {

class ClassifierStage : public Stage {
 public:
  std::string name, features_col, raw_col, probability_col, prediction_col;
  std::vector<double> thresholds;
  std::size_t num_features = 0;
  std::size_t num_classes = 0;
  bool probabilistic = true;  // false: no probability column (LinearSVC, OneVsRest)

  /// Reads the columns and thresholds params; sets `name`.
  void read_params(const StageMeta& meta);
  /// The columns it reads and writes, for the pipeline's checks.
  LoadResult loaded(std::shared_ptr<ClassifierStage> self, StageInfo& info) const;

  Status transform(Frame& frame) const override;

 protected:
  /// The raw scores of one row (`num_classes` of them); an error for a value the model
  /// refuses (e.g. a negative count for multinomial Naive Bayes). `sparse`: Spark holds the
  /// row as a SparseVector; `vector_lanes`: ScoreOptions::spark_vector_lanes.
  virtual Status predict_raw(const double* x, bool sparse, std::size_t vector_lanes,
                             double* raw) const = 0;
  /// raw2probabilityInPlace; Spark's softmax by default.
  virtual void raw_to_probability(double* p) const;
  /// raw2prediction for a model without probabilities; the first maximum by default.
  virtual double raw_to_prediction(const double* raw) const;
};

/// ml.impl.Utils.softmax in place: exp(v - max), each divided by their sum.
void spark_softmax(double* v, std::size_t n);
/// Vector.argmax: the first index of the largest value.
std::size_t first_argmax(const double* v, std::size_t n);

}  // namespace dbk::scorer::detail
