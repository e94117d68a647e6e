// Loads PipelineModel folders (docs/reference/spark-models.md §1.1): stage order from
// paramMap.stageUids, stage folder `<index>_<uid>` found by its uid suffix, nested pipelines
// flattened. Every stage is loaded before anything is scored, so an unsupported class is
// reported up front.

#include <algorithm>
#include <filesystem>
#include <set>

#include "ml/stages.hpp"

namespace dbk::scorer {

PipelineModel::PipelineModel() = default;
PipelineModel::~PipelineModel() = default;
PipelineModel::PipelineModel(PipelineModel&&) noexcept = default;
PipelineModel& PipelineModel::operator=(PipelineModel&&) noexcept = default;
PipelineModel::PipelineModel(const PipelineModel&) = default;
PipelineModel& PipelineModel::operator=(const PipelineModel&) = default;

void PipelineModel::add_stage(std::shared_ptr<const detail::Stage> stage, StageInfo info) {
  stages_.push_back(std::move(stage));
  info_.push_back(std::move(info));
}

std::vector<std::string> PipelineModel::required_input_columns() const {
  std::set<std::string> produced;
  std::vector<std::string> needed;
  for (const auto& s : info_) {
    for (const auto& c : s.input_columns) {
      if (!produced.count(c) && std::find(needed.begin(), needed.end(), c) == needed.end()) {
        needed.push_back(c);
      }
    }
    for (const auto& c : s.output_columns) produced.insert(c);
  }
  return needed;
}

namespace detail {
namespace {

struct Entry {
  const char* simple_name;
  StageLoader loader;
};

constexpr Entry kLoaders[] = {
    {"StringIndexerModel", load_string_indexer},
    {"IndexToString", load_index_to_string},
    {"VectorIndexerModel", load_vector_indexer},
    {"VectorAssembler", load_vector_assembler},
    {"OneHotEncoderModel", load_one_hot_encoder},
    {"OneHotEncoder", load_legacy_one_hot_encoder},  // Spark 2.x's transformer
    {"StandardScalerModel", load_standard_scaler},
    {"MinMaxScalerModel", load_min_max_scaler},
    {"MaxAbsScalerModel", load_max_abs_scaler},
    {"RobustScalerModel", load_robust_scaler},
    {"Normalizer", load_normalizer},
    {"ElementwiseProduct", load_elementwise_product},
    {"PolynomialExpansion", load_polynomial_expansion},
    {"DCT", load_dct},
    {"PCAModel", load_pca},
    {"ChiSqSelectorModel", load_feature_selector},
    {"UnivariateFeatureSelectorModel", load_feature_selector},
    {"VarianceThresholdSelectorModel", load_feature_selector},
    {"FeatureHasher", load_feature_hasher},
    {"IDFModel", load_idf},
    {"ImputerModel", load_imputer},
    {"Bucketizer", load_bucketizer},
    {"Binarizer", load_binarizer},
    {"VectorSlicer", load_vector_slicer},
    {"VectorSizeHint", load_vector_size_hint},
    {"DecisionTreeClassificationModel", load_tree_model},
    {"RandomForestClassificationModel", load_tree_model},
    {"GBTClassificationModel", load_tree_model},
    {"DecisionTreeRegressionModel", load_tree_model},
    {"RandomForestRegressionModel", load_tree_model},
    {"GBTRegressionModel", load_tree_model},
    {"LogisticRegressionModel", load_logistic_regression},
    {"LinearRegressionModel", load_linear_regression},
    {"NaiveBayesModel", load_naive_bayes},
    {"LinearSVCModel", load_linear_svc},
    {"MultilayerPerceptronClassificationModel", load_multilayer_perceptron},
    {"OneVsRestModel", load_one_vs_rest},
    {"FMClassificationModel", load_fm_classifier},
    {"FMRegressionModel", load_fm_regressor},
    {"GeneralizedLinearRegressionModel", load_generalized_linear_regression},
    {"IsotonicRegressionModel", load_isotonic_regression},
    {"AFTSurvivalRegressionModel", load_aft_survival_regression},
    {"KMeansModel", load_kmeans},
    {"BisectingKMeansModel", load_bisecting_kmeans},
    {"GaussianMixtureModel", load_gaussian_mixture},
    {"Interaction", load_interaction},
    {"TargetEncoderModel", load_target_encoder},
    {"MinHashLSHModel", load_min_hash_lsh},
    {"BucketedRandomProjectionLSHModel", load_bucketed_random_projection_lsh},
    {"SQLTransformer", load_sql_transformer},
    {"RFormulaModel", load_rformula},
    {"ColumnPruner", load_column_pruner},
    {"VectorAttributeRewriter", load_vector_attribute_rewriter},
    {"Tokenizer", load_tokenizer},
    {"RegexTokenizer", load_regex_tokenizer},
    {"StopWordsRemover", load_stop_words_remover},
    {"NGram", load_ngram},
    {"HashingTF", load_hashing_tf},
    {"CountVectorizerModel", load_count_vectorizer},
    {"Word2VecModel", load_word2vec},
};

const char* package_of(const std::string& simple) {
  // Models whose simple names do not say their package.
  static const char* const kClassification[] = {"LogisticRegressionModel", "NaiveBayesModel",
                                                "LinearSVCModel", "OneVsRestModel"};
  static const char* const kClustering[] = {"KMeansModel", "BisectingKMeansModel",
                                            "GaussianMixtureModel"};
  for (const char* c : kClassification) {
    if (simple == c) return "org.apache.spark.ml.classification.";
  }
  for (const char* c : kClustering) {
    if (simple == c) return "org.apache.spark.ml.clustering.";
  }
  if (simple.find("Classification") != std::string::npos) {
    return "org.apache.spark.ml.classification.";
  }
  if (simple.find("Regression") != std::string::npos) return "org.apache.spark.ml.regression.";
  return "org.apache.spark.ml.feature.";
}

}  // namespace

StageLoader find_stage_loader(const std::string& class_name) {
  for (const auto& e : kLoaders) {
    if (class_name == std::string(package_of(e.simple_name)) + e.simple_name) return e.loader;
  }
  return nullptr;
}

std::vector<std::string> stage_loader_classes() {
  std::vector<std::string> out;
  for (const auto& e : kLoaders)
    out.push_back(std::string(package_of(e.simple_name)) + e.simple_name);
  return out;
}

namespace {
namespace fs = std::filesystem;

Status load_into(const std::string& dir, PipelineModel& model, int depth,
                 std::vector<std::string>& unsupported) {
  if (depth > 16)
    return make_error(error_codes::kModelCorrupt, dir + ": pipelines nested too deeply");
  auto meta = read_stage_meta(dir);
  if (!meta.ok()) return std::move(meta).error();
  if (model.spark_version().empty()) model.set_spark_version(meta->spark_version);
  // PySpark writes its own class name when a stage is Python-only (e.g. a nested pipeline).
  if (meta->class_name == "org.apache.spark.ml.PipelineModel" ||
      meta->class_name == "pyspark.ml.pipeline.PipelineModel") {
    auto uids = meta->strings_param("stageUids");
    const fs::path stages_dir = fs::path(dir) / "stages";
    std::vector<std::string> folders;
    std::error_code ec;
    for (fs::directory_iterator it(stages_dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_directory(ec)) folders.push_back(it->path().filename().string());
    }
    for (std::size_t k = 0; k < uids.size(); ++k) {
      // Folder `<index>_<uid>` with a zero-padded index (§1.1): match on "_<uid>" and index.
      std::string found;
      for (const auto& f : folders) {
        const std::string suffix = "_" + uids[k];
        if (f.size() > suffix.size() &&
            f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0) {
          std::string prefix = f.substr(0, f.size() - suffix.size());
          if (!prefix.empty() && prefix.find_first_not_of("0123456789") == std::string::npos &&
              std::stoul(prefix.substr(0, 9)) == k) {
            found = f;
          }
        }
      }
      if (found.empty()) {
        return make_error(error_codes::kModelCorrupt, dir + ": no stage folder for stage " +
                                                          std::to_string(k) + " (" + uids[k] + ")");
      }
      auto st = load_into((stages_dir / found).string(), model, depth + 1, unsupported);
      if (!st.ok()) return st;
    }
    return {};
  }
  // RFormulaModel runs the pipeline it fitted, then its own label step (ml/rformula.cpp).
  if (meta->class_name == "org.apache.spark.ml.feature.RFormulaModel") {
    auto st = load_into((fs::path(dir) / "pipelineModel").string(), model, depth + 1, unsupported);
    if (!st.ok()) return st;
  }
  StageLoader loader = find_stage_loader(meta->class_name);
  if (loader == nullptr) {
    unsupported.push_back(meta->class_name + " (" + dir + ")");
    return {};
  }
  StageInfo info;
  info.class_name = meta->class_name;
  info.uid = meta->uid;
  info.spark_version = meta->spark_version;
  auto stage = loader(*meta, info);
  if (!stage.ok()) return std::move(stage).error();
  model.add_stage(std::move(*stage), std::move(info));
  return {};
}

}  // namespace
}  // namespace detail

Result<PipelineModel> load_pipeline_model(const std::string& path) {
  PipelineModel model;
  std::vector<std::string> unsupported;
  auto st = detail::load_into(path, model, 0, unsupported);
  if (!unsupported.empty()) {
    std::string msg = path + ": unsupported stage";
    msg += unsupported.size() > 1 ? "s: " : ": ";
    for (std::size_t k = 0; k < unsupported.size(); ++k) msg += (k ? ", " : "") + unsupported[k];
    return make_error(error_codes::kUnsupportedStage, msg);
  }
  if (!st.ok()) return std::move(st).error();
  return model;
}

std::vector<std::string> supported_stage_classes() {
  return detail::stage_loader_classes();
}

}  // namespace dbk::scorer
