// GeneralizedLinearRegressionModel: eta = BLAS.dot(features, coefficients) + intercept + offset,
// prediction = the link's inverse of eta, for every family and link Spark has (docs/scorer.md,
// "Supported stages").

#include <cfloat>
#include <cmath>

#include "ml/feature_stage.hpp"
#include "ml/spark_ddot.hpp"

namespace dbk::scorer::detail {

namespace {

enum class Family { kGaussian, kBinomial, kTweedie };  // Poisson and Gamma project as Tweedie

enum class Link { kIdentity, kLog, kInverse, kLogit, kProbit, kCLogLog, kSqrt, kPower };

class GlmStage : public Stage {
 public:
  std::string name, features_col, prediction_col, link_prediction_col, offset_col;
  std::vector<double> coefficients;
  double intercept = 0.0;
  Link link = Link::kIdentity;
  double link_power = 1.0;  // kPower
  Family family = Family::kGaussian;

  // Family.project: the fitted mean kept inside the family's domain (epsilon = 1e-16).
  double project(double mu) const {
    constexpr double kEpsilon = 1e-16;
    switch (family) {
      case Family::kGaussian:
        return std::isinf(mu) ? (mu < 0 ? -DBL_MAX : DBL_MAX) : mu;
      case Family::kBinomial:
        return mu < kEpsilon ? kEpsilon : (mu > 1.0 - kEpsilon ? 1.0 - kEpsilon : mu);
      case Family::kTweedie:
        return mu < kEpsilon ? kEpsilon : (std::isinf(mu) ? DBL_MAX : mu);
    }
    return mu;
  }
  Ddot order = Ddot::kInOrder;

  // Link.unlink of each of Spark's links.
  double fitted(double eta) const {
    switch (link) {
      case Link::kIdentity:
        return eta;
      case Link::kLog:
        return std::exp(eta);
      case Link::kInverse:
        return 1.0 / eta;
      case Link::kLogit:
        return 1.0 / (1.0 + std::exp(-eta));
      case Link::kProbit:  // Breeze's Gaussian(0, 1).cdf
        return 0.5 * (1.0 + std::erf(eta / std::sqrt(2.0)));
      case Link::kCLogLog:
        return 1.0 - std::exp(-1.0 * std::exp(eta));
      case Link::kSqrt:
        return eta * eta;
      case Link::kPower:
        return link_power == 0.0 ? std::exp(eta) : std::pow(eta, 1.0 / link_power);
    }
    return eta;
  }

  Status transform(Frame& frame) const override {
    auto in = features_of(frame, name, features_col, coefficients.size());
    if (!in.ok()) return std::move(in).error();
    const ScoredColumn& x = **in;
    const std::size_t n = coefficients.size();
    const ScoredColumn* offset = nullptr;
    if (!offset_col.empty()) {
      auto o = frame.numeric(offset_col);
      if (!o.ok()) return std::move(o).error();
      offset = *o;
    }
    const std::size_t lanes = ddot_lanes(order, frame.spark_vector_lanes());
    auto eta_col = new_double_column(link_prediction_col, frame.rows());
    auto pred = new_double_column(prediction_col, frame.rows());
    pred.valid = x.valid;
    for (std::size_t r = 0; r < frame.rows(); ++r) {
      if (offset != nullptr && !offset->valid[r]) pred.valid[r] = 0;
      if (!frame.alive()[r] || !pred.valid[r]) continue;
      const double dot = row_dot(order, lanes, x.vector(r), x.is_sparse(r), coefficients.data(), n);
      const double eta = dot + intercept + (offset != nullptr ? offset->numbers[r] : 0.0);
      eta_col.numbers[r] = eta;
      pred.numbers[r] = project(fitted(eta));
    }
    eta_col.valid = pred.valid;
    if (!link_prediction_col.empty()) frame.add(std::move(eta_col));
    if (!prediction_col.empty()) frame.add(std::move(pred));
    return {};
  }
};

Result<Link> link_named(const StageMeta& meta, const std::string& link) {
  static const std::pair<const char*, Link> kLinks[] = {
      {"identity", Link::kIdentity}, {"log", Link::kLog},       {"inverse", Link::kInverse},
      {"logit", Link::kLogit},       {"probit", Link::kProbit}, {"cloglog", Link::kCLogLog},
      {"sqrt", Link::kSqrt}};
  for (const auto& [name, value] : kLinks) {
    if (link == name) return value;
  }
  return model_error(meta, "unknown link '" + link + "'");
}

}  // namespace

LoadResult load_generalized_linear_regression(const StageMeta& meta, StageInfo& info) {
  auto stage = std::make_shared<GlmStage>();
  stage->name = stage_name(meta);
  stage->features_col = meta.string_param("featuresCol", "features");
  stage->prediction_col = meta.string_param("predictionCol", "prediction");
  stage->link_prediction_col = meta.string_param("linkPredictionCol", "");
  stage->offset_col = meta.string_param("offsetCol", "");
  stage->order = spark_ddot(meta.major, meta.minor);
  // FamilyAndLink: the link param (linkPower for tweedie) when set, else the family's default.
  const std::string family = meta.string_param("family", "gaussian");
  stage->family = family == "gaussian"   ? Family::kGaussian
                  : family == "binomial" ? Family::kBinomial
                                         : Family::kTweedie;
  if (family == "tweedie") {
    stage->link = Link::kPower;
    stage->link_power = meta.has_param("linkPower") ? meta.double_param("linkPower", 1.0)
                                                    : 1.0 - meta.double_param("variancePower", 0.0);
  } else if (meta.has_param("link")) {
    auto link = link_named(meta, meta.string_param("link", ""));
    if (!link.ok()) return std::move(link).error();
    stage->link = *link;
  } else if (family == "gaussian") {
    stage->link = Link::kIdentity;
  } else if (family == "binomial") {
    stage->link = Link::kLogit;
  } else if (family == "poisson") {
    stage->link = Link::kLog;
  } else if (family == "gamma") {
    stage->link = Link::kInverse;
  } else {
    return model_error(meta, "unknown family '" + family + "'");
  }
  auto data = read_stage_table(meta.path, "data");
  if (!data.ok()) return std::move(data).error();
  auto terms = read_linear_terms(*data, meta, stage->coefficients, stage->intercept);
  if (!terms.ok()) return terms.error();
  info.input_columns = {stage->features_col};
  if (!stage->offset_col.empty()) info.input_columns.push_back(stage->offset_col);
  for (const auto* c : {&stage->link_prediction_col, &stage->prediction_col}) {
    if (!c->empty()) info.output_columns.push_back(*c);
  }
  return std::shared_ptr<const Stage>(stage);
}

}  // namespace dbk::scorer::detail
