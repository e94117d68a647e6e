#pragma once

// Loaders of every supported stage class (registered in pipeline_loader.cpp).

#include "ml/stage.hpp"

namespace dbk::scorer::detail {

using LoadResult = Result<std::shared_ptr<const Stage>>;

LoadResult load_string_indexer(const StageMeta& meta, StageInfo& info);
LoadResult load_index_to_string(const StageMeta& meta, StageInfo& info);
LoadResult load_vector_indexer(const StageMeta& meta, StageInfo& info);
LoadResult load_vector_assembler(const StageMeta& meta, StageInfo& info);
LoadResult load_one_hot_encoder(const StageMeta& meta, StageInfo& info);
LoadResult load_legacy_one_hot_encoder(const StageMeta& meta, StageInfo& info);
LoadResult load_standard_scaler(const StageMeta& meta, StageInfo& info);
LoadResult load_min_max_scaler(const StageMeta& meta, StageInfo& info);
LoadResult load_max_abs_scaler(const StageMeta& meta, StageInfo& info);
LoadResult load_robust_scaler(const StageMeta& meta, StageInfo& info);
LoadResult load_normalizer(const StageMeta& meta, StageInfo& info);
LoadResult load_elementwise_product(const StageMeta& meta, StageInfo& info);
LoadResult load_polynomial_expansion(const StageMeta& meta, StageInfo& info);
LoadResult load_dct(const StageMeta& meta, StageInfo& info);
LoadResult load_pca(const StageMeta& meta, StageInfo& info);
LoadResult load_feature_selector(const StageMeta& meta, StageInfo& info);
LoadResult load_feature_hasher(const StageMeta& meta, StageInfo& info);
LoadResult load_idf(const StageMeta& meta, StageInfo& info);
LoadResult load_imputer(const StageMeta& meta, StageInfo& info);
LoadResult load_bucketizer(const StageMeta& meta, StageInfo& info);
LoadResult load_binarizer(const StageMeta& meta, StageInfo& info);
LoadResult load_vector_slicer(const StageMeta& meta, StageInfo& info);
LoadResult load_vector_size_hint(const StageMeta& meta, StageInfo& info);
LoadResult load_tree_model(const StageMeta& meta, StageInfo& info);
LoadResult load_logistic_regression(const StageMeta& meta, StageInfo& info);
LoadResult load_linear_regression(const StageMeta& meta, StageInfo& info);
LoadResult load_naive_bayes(const StageMeta& meta, StageInfo& info);
LoadResult load_linear_svc(const StageMeta& meta, StageInfo& info);
LoadResult load_multilayer_perceptron(const StageMeta& meta, StageInfo& info);
LoadResult load_one_vs_rest(const StageMeta& meta, StageInfo& info);
LoadResult load_fm_classifier(const StageMeta& meta, StageInfo& info);
LoadResult load_fm_regressor(const StageMeta& meta, StageInfo& info);
LoadResult load_generalized_linear_regression(const StageMeta& meta, StageInfo& info);
LoadResult load_isotonic_regression(const StageMeta& meta, StageInfo& info);
LoadResult load_aft_survival_regression(const StageMeta& meta, StageInfo& info);
LoadResult load_kmeans(const StageMeta& meta, StageInfo& info);
LoadResult load_bisecting_kmeans(const StageMeta& meta, StageInfo& info);
LoadResult load_gaussian_mixture(const StageMeta& meta, StageInfo& info);
LoadResult load_interaction(const StageMeta& meta, StageInfo& info);
LoadResult load_target_encoder(const StageMeta& meta, StageInfo& info);
LoadResult load_min_hash_lsh(const StageMeta& meta, StageInfo& info);
LoadResult load_bucketed_random_projection_lsh(const StageMeta& meta, StageInfo& info);
LoadResult load_sql_transformer(const StageMeta& meta, StageInfo& info);
LoadResult load_rformula(const StageMeta& meta, StageInfo& info);
LoadResult load_column_pruner(const StageMeta& meta, StageInfo& info);
LoadResult load_vector_attribute_rewriter(const StageMeta& meta, StageInfo& info);
// Text stages (text_stages.cpp, text_vectors.cpp, word2vec.cpp).
LoadResult load_tokenizer(const StageMeta& meta, StageInfo& info);
LoadResult load_regex_tokenizer(const StageMeta& meta, StageInfo& info);
LoadResult load_stop_words_remover(const StageMeta& meta, StageInfo& info);
LoadResult load_ngram(const StageMeta& meta, StageInfo& info);
LoadResult load_hashing_tf(const StageMeta& meta, StageInfo& info);
LoadResult load_count_vectorizer(const StageMeta& meta, StageInfo& info);
LoadResult load_word2vec(const StageMeta& meta, StageInfo& info);

/// The VectorAssembler used by ScoreOptions::assemble_columns.
std::shared_ptr<const Stage> make_vector_assembler(std::vector<std::string> inputs,
                                                   std::string output, std::string handle_invalid,
                                                   bool nan_is_invalid);

/// inputCol/inputCols (and the output counterparts) of a stage.
std::vector<std::string> input_cols(const StageMeta& meta);
std::vector<std::string> output_cols(const StageMeta& meta);

ScoredColumn new_double_column(const std::string& name, std::size_t rows);
ScoredColumn new_vector_column(const std::string& name, std::size_t rows, std::size_t width);

}  // namespace dbk::scorer::detail
