// Stages beyond the first fixtures' (scorer/fixtures/generate_stage_cases.py), each saved and
// transformed by Spark 3.5 and 4.x, and the models 2.x has by Spark 2.4 too
// (scorer/fixtures/spark2x/Spark2Models.java): every column a case adds equals Spark's bit for bit,
// probabilities within 1e-12, and the columns named here within the tolerance given, where
// Spark's order of operations is not followed (docs/scorer.md says why for each).

#include <catch2/catch.hpp>
#include <fstream>
#include <set>

#include "ml/murmur3.hpp"
#include "ml/stage.hpp"
#include "ml/text_unicode.hpp"
#include "spark_cases.hpp"

using namespace scorer_test;

// Normalizer with p = 1, 2, ∞ and 3: the norm summed in order, sparse rows kept sparse. p = 3
// goes through Math.pow, which may round differently from the C library's pow.
TEST_CASE("Normalizer scores like Spark", "[spark][stages]") {
  check_bit_exact("normalizer", {{"n3", 1e-15}});
}

// A dense row's projection is BLAS.gemv: Spark 4.x's VectorBLAS order and Spark 2.x's (F2J
// dgemv, a sum in index order) are followed bit for bit, Spark 3.2-3.5's Java11BLAS dgemv
// blocks its columns in an order the scorer does not follow.
TEST_CASE("PCAModel scores like Spark", "[spark][stages]") {
  check_bit_exact("pca", {{"pc", 1e-12}});
  for (const auto& dir : case_dirs("pca")) {
    if (dir.find("spark-3.") != std::string::npos) continue;
    INFO(dir);
    const auto expected = read_jsonl(dir + "/pca/expected.jsonl");
    CHECK(rows_differing(score_case(dir, "pca"), expected, "pc") == 0);
  }
}

TEST_CASE("ElementwiseProduct scores like Spark", "[spark][stages]") {
  check_bit_exact("elementwise_product");
}

// Degree 2 and 3: each term the product of its factors in Spark's recursion order.
TEST_CASE("PolynomialExpansion scores like Spark", "[spark][stages]") {
  check_bit_exact("polynomial_expansion");
}

// JTransforms computes the DCT through an FFT; the scorer's direct sum agrees within 1e-12.
TEST_CASE("DCT scores like Spark", "[spark][stages]") {
  check_bit_exact("dct", {{"dct", 1e-12}, {"idct", 1e-12}});
}

// With and without centering and scaling, and other quantiles.
TEST_CASE("RobustScalerModel scores like Spark", "[spark][stages]") {
  check_bit_exact("robust_scaler");
}

// Spark 2.x's BLAS is F2J's, whose gemv and gemm sum in input order as the scorer does: `column`
// of a case saved by 2.x is bit for bit where later releases' is held to a tolerance.
static void check_bit_exact_on_2x(const std::string& name, const std::string& column) {
  std::size_t checked = 0;
  for (const auto& dir : case_dirs(name)) {
    if (std::filesystem::path(dir).filename().string().rfind("spark-2.", 0) != 0) continue;
    INFO(dir << "/" << name << " column " << column);
    const auto result = score_case(dir, name);
    CHECK(rows_differing(result, read_jsonl(dir + "/" + name + "/expected.jsonl"), column) == 0);
    ++checked;
  }
  CHECK(checked > 0);
}

// Multinomial raw scores go through gemv, like PCA's (Spark 3.5 within 1e-12); complement,
// bernoulli and gaussian raw scores are bit for bit. Spark 2.4 (multinomial and bernoulli only)
// sums bernoulli scores in another order, from log(1 - e^θ) without log1p.
TEST_CASE("NaiveBayesModel scores like Spark", "[spark][stages]") {
  check_bit_exact("naive_bayes", {{"mn_raw", 1e-12}});
  check_bit_exact_on_2x("naive_bayes", "mn_raw");
}

TEST_CASE("LinearSVCModel scores like Spark", "[spark][stages]") {
  check_bit_exact("linear_svc");
}

// Each layer is a Breeze gemm, blocked as the release's BLAS blocks it; the scorer sums each
// output in input order, within 1e-12 (bit for bit on 2.x).
TEST_CASE("MultilayerPerceptronClassificationModel scores like Spark", "[spark][stages]") {
  check_bit_exact("mlp", {{"rawPrediction", 1e-12}});
  check_bit_exact_on_2x("mlp", "rawPrediction");
}

TEST_CASE("KMeansModel and BisectingKMeansModel score like Spark", "[spark][stages]") {
  check_bit_exact("kmeans");
}

// Spark's clustering predictions are IntegerType: the result files hold "1", not "1.0", and
// Parquet INT32, as Spark's own table would.
TEST_CASE("clustering predictions are written as integers", "[spark][stages]") {
  const auto dirs = case_dirs("kmeans");
  REQUIRE_FALSE(dirs.empty());
  const auto result = score_case(dirs.front(), "kmeans");
  const auto tmp = temp_dir("int_predictions");
  for (const char* name : {"out.csv", "out.jsonl", "out.parquet"}) {
    INFO(name);
    REQUIRE(dbk::scorer::write_results(result, (tmp / name).string()).ok());
  }
  const std::string csv = read_file((tmp / "out.csv").string());
  const std::string header = csv.substr(0, csv.find('\n'));
  CHECK(header.find(",km,km_cos,bkm") != std::string::npos);
  const auto rows = read_jsonl((tmp / "out.jsonl").string());
  REQUIRE(rows.size() == result.num_rows());
  for (const auto& row : rows) {
    CHECK(row["km"].is_number_integer());
    CHECK(row["bkm"].is_number_integer());
  }
  auto table = dbk::scorer::read_table((tmp / "out.parquet").string());
  REQUIRE(table.ok());
  for (const char* column : {"km", "km_cos", "bkm"}) {
    const auto* c = table->find(column);
    REQUIRE(c != nullptr);
    CHECK(c->type == dbk::scorer::ColumnType::kInt32);
    for (std::size_t r = 0; r < result.num_rows(); ++r) {
      CHECK(static_cast<double>(c->ints[r]) == result.find(column)->numbers[r]);
    }
  }
  std::filesystem::remove_all(tmp);
}

// The probabilities go through an eigen-decomposition (Spark: LAPACK, here Jacobi rotations).
TEST_CASE("GaussianMixtureModel scores like Spark", "[spark][stages]") {
  check_bit_exact("gaussian_mixture", {{"probability", 1e-12}});
}

TEST_CASE("IsotonicRegressionModel scores like Spark", "[spark][stages]") {
  check_bit_exact("isotonic");
}

// Spark 2.4's case adds a model with the default probabilities, some of whose quantiles 2.x's
// log(1 - q) rounds differently from log1p(-q).
TEST_CASE("AFTSurvivalRegressionModel scores like Spark", "[spark][stages]") {
  check_bit_exact("aft");
}

TEST_CASE("FMClassificationModel and FMRegressionModel score like Spark", "[spark][stages]") {
  check_bit_exact("fm");
}

TEST_CASE("OneVsRestModel scores like Spark", "[spark][stages]") {
  check_bit_exact("one_vs_rest");
}

// Every family and link. Link predictions are bit for bit; a prediction through exp (log,
// logit, cloglog, tweedie with link power 0) may differ from HotSpot's Math.exp in the last bit.
TEST_CASE("GeneralizedLinearRegressionModel scores like Spark", "[spark][stages]") {
  check_bit_exact("glm", {{"gaussian_log", 1e-15},
                          {"binomial_logit", 1e-15},
                          {"binomial_cloglog", 1e-15},
                          {"binomial_probit", 1e-15},
                          {"poisson_log", 1e-15},
                          {"gamma_log", 1e-15},
                          {"tweedie_p0", 1e-15}});
}

// FeatureHasher over double, string, boolean and categorical double columns (Murmur3 of the
// name or of "name=value", Java's strings of doubles), then IDF over its sparse vectors.
TEST_CASE("FeatureHasher and IDFModel score like Spark", "[spark][stages]") {
  check_bit_exact("hashing");
}

TEST_CASE("feature selectors score like Spark", "[spark][stages]") {
  check_bit_exact("selectors");
}

// Products built from the last input to the first, nominal inputs (a StringIndexer's output,
// and a nominal element of an assembled vector) one-hot encoded by their attributes; the
// VectorSlicers select outputs by the names Spark gives them, and each row is held sparse or
// dense as Spark's Vector.compressed holds it.
TEST_CASE("Interaction scores like Spark", "[spark][stages]") {
  check_bit_exact("interaction");
  for (const auto& dir : case_dirs("interaction")) {
    INFO(dir);
    const auto result = score_case(dir, "interaction");
    const json meta = case_meta(dir, "interaction");
    CHECK(check_sparse_rows(result, meta, *result.find("ia")) > 0);
    check_sparse_rows(result, meta, *result.find("ia2"));
  }
}

// MinHash over the rows' non-zero indices (sparse and dense rows), bucketed projections of the
// same rows: each an array of 1-element vectors, as Spark's.
TEST_CASE("MinHashLSHModel and BucketedRandomProjectionLSHModel score like Spark",
          "[spark][stages]") {
  check_bit_exact("lsh");
}

// array<vector> in the result files: JSON as Spark's to_json writes it, Parquet a LIST of
// LIST<DOUBLE> (each vector as vector columns are written) that reads back as Spark's hashes.
TEST_CASE("LSH hashes are written as lists of vectors", "[spark][stages]") {
  const auto dirs = case_dirs("lsh");
  REQUIRE_FALSE(dirs.empty());
  const auto result = score_case(dirs.front(), "lsh");
  const auto expected = read_jsonl(dirs.front() + "/lsh/expected.jsonl");
  const auto tmp = temp_dir("lsh_output");
  for (const char* name : {"out.jsonl", "out.parquet"}) {
    INFO(name);
    REQUIRE(dbk::scorer::write_results(result, (tmp / name).string()).ok());
  }
  const auto rows = read_jsonl((tmp / "out.jsonl").string());
  REQUIRE(rows.size() == expected.size());
  auto table = dbk::scorer::read_table((tmp / "out.parquet").string());
  if (!table.ok()) FAIL(table.error().to_string());
  const auto* mh = table->find("mh");
  REQUIRE(mh != nullptr);
  REQUIRE(mh->type == dbk::scorer::ColumnType::kNested);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const json& want = expected[r]["mh"];
    REQUIRE(rows[r]["row_id"] == expected[r]["row_id"]);
    REQUIRE(rows[r]["mh"].size() == want.size());
    const auto& got = mh->nested[r];
    REQUIRE(got.items.size() == want.size());
    for (std::size_t t = 0; t < want.size(); ++t) {
      CHECK(rows[r]["mh"][t]["type"] == 1);
      CHECK(rows[r]["mh"][t]["values"] == want[t]);
      REQUIRE(got.items[t].items.size() == 1);
      CHECK(got.items[t].items[0].as_double() == want[t][0].get<double>());
    }
  }
  std::filesystem::remove_all(tmp);
}

// Spark 4.x only: binary and continuous targets, smoothing, two columns per stage, categories
// unseen in training and nulls (handleInvalid=keep gives them the overall statistic).
TEST_CASE("TargetEncoderModel scores like Spark", "[spark][stages]") {
  check_bit_exact("target_encoder", {}, 1);
}

// A stage the scorer cannot score is refused before anything is scored, naming its class and
// folder, never scored wrongly: a Spark-saved pipeline whose Interaction is renamed to a class
// the scorer does not know.
TEST_CASE("a pipeline with an unsupported stage is refused naming it", "[spark][stages]") {
  const auto dirs = case_dirs("interaction");
  REQUIRE_FALSE(dirs.empty());
  const auto tmp = temp_dir("unsupported_stage");
  std::filesystem::copy(dirs.front() + "/interaction/model", tmp / "model",
                        std::filesystem::copy_options::recursive);
  std::string renamed;  // its folder: `2_Interaction_<id>` (3.x), `2_interaction_<id>` (2.x)
  for (const auto& e : std::filesystem::recursive_directory_iterator(tmp / "model" / "stages")) {
    if (!e.is_regular_file() || e.path().parent_path().filename() != "metadata") continue;
    std::string text = read_file(e.path().string());
    const std::string from = "org.apache.spark.ml.feature.Interaction\"";
    if (text.find(from) == std::string::npos) continue;
    text.replace(text.find(from), from.size(), "org.apache.spark.ml.feature.Unheard\"");
    std::ofstream(e.path()) << text;
    renamed = e.path().parent_path().parent_path().filename().string();
    break;  // one stage renamed: the error names its folder
  }
  REQUIRE_FALSE(renamed.empty());
  auto model = dbk::scorer::load_pipeline_model((tmp / "model").string());
  REQUIRE_FALSE(model.ok());
  CHECK(model.error().error_code == "UNSUPPORTED_STAGE");
  CHECK(model.error().message.find("org.apache.spark.ml.feature.Unheard (") != std::string::npos);
  CHECK(model.error().message.find(renamed) != std::string::npos);
  std::filesystem::remove_all(tmp);
}

// SQLTransformer's derived features (every construct of the subset, with division by zero,
// negative square roots, nulls, an INT that overflows, NaN) into a VectorAssembler and a
// LinearRegression. ln, log10, exp and pow go through the C library (HotSpot's Math may round
// the last bit differently); the prediction is bit for bit where they agree.
TEST_CASE("SQLTransformer scores like Spark", "[spark][stages]") {
  check_bit_exact("sql_transformer", {{"lnb", 1e-15},
                                      {"l10", 1e-15},
                                      {"ex", 1e-15},
                                      {"sq", 1e-15},
                                      {"pw", 1e-15},
                                      {"v", 1e-15},
                                      {"prediction", 1e-15}});
}

// Two SQLTransformers, each with a WHERE that drops rows for every later stage, into a
// LogisticRegression: the same rows survive as in Spark.
TEST_CASE("SQLTransformer's WHERE drops rows as Spark does", "[spark][stages]") {
  check_bit_exact("sql_where");
}

// RFormula over numeric and string terms (a string label, `~ .` with `-` terms), scored without
// the label column as Spark 3.x+ allows, into LogisticRegression and LinearRegression.
TEST_CASE("RFormulaModel scores like Spark", "[spark][stages]") {
  // A string label with handleInvalid=keep has three classes: multinomial margins (1e-12).
  check_bit_exact("rformula", {{"rawPrediction", 1e-12}});
  check_bit_exact("rformula_dot");
}

// RFormulaModel.transform casts a numeric label found in the scoring input to double under
// labelCol; a string label goes through the label's StringIndexer.
TEST_CASE("RFormulaModel makes the label column when the input has one", "[spark][stages]") {
  for (const auto& dir : case_dirs("rformula_dot")) {
    INFO(dir);
    auto model = dbk::scorer::load_pipeline_model(dir + "/rformula_dot/model");
    REQUIRE(model.ok());
    auto input = dbk::scorer::read_table(dir + "/rformula_dot/input");
    REQUIRE(input.ok());
    dbk::scorer::Column y{"y", dbk::scorer::ColumnType::kInt32};
    for (std::size_t r = 0; r < input->num_rows; ++r) {
      y.valid.push_back(r % 5 == 0 ? 0 : 1);
      y.ints.push_back(static_cast<std::int64_t>(r) - 3);
    }
    input->columns.push_back(y);
    auto scored = dbk::scorer::score_table(*model, *input);
    REQUIRE(scored.ok());
    const auto* label = scored->find("lbl");
    REQUIRE(label != nullptr);
    for (std::size_t r = 0; r < scored->num_rows(); ++r) {
      const std::size_t in = scored->source_rows[r];
      CHECK(label->valid[r] == y.valid[in]);
      if (label->valid[r]) CHECK(label->numbers[r] == static_cast<double>(y.ints[in]));
    }
    input->columns.back().type = dbk::scorer::ColumnType::kString;
    input->columns.back().strings.assign(input->num_rows, "x");
    auto refused = dbk::scorer::score_table(*model, *input);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find("label column 'y'") != std::string::npos);
  }
  for (const auto& dir : case_dirs("rformula")) {
    auto model = dbk::scorer::load_pipeline_model(dir + "/rformula/model");
    REQUIRE(model.ok());
    auto input = dbk::scorer::read_table(dir + "/rformula/input");
    REQUIRE(input.ok());
    dbk::scorer::Column yc{"yc", dbk::scorer::ColumnType::kString};
    yc.valid.assign(input->num_rows, 1);
    for (std::size_t r = 0; r < input->num_rows; ++r) yc.strings.push_back(r % 2 ? "yes" : "no");
    input->columns.push_back(yc);
    auto scored = dbk::scorer::score_table(*model, *input);
    REQUIRE(scored.ok());
    const auto* label = scored->find("label");
    REQUIRE(label != nullptr);
    CHECK(label->numbers[0] != label->numbers[1]);  // the two labels' indices
  }
}

// A formula with an `a:b` term fits an Interaction inside RFormula's pipeline.
TEST_CASE("RFormulaModel with an interaction term scores like Spark", "[spark][stages]") {
  check_bit_exact("rformula_interaction");
}

// The row_ids whose vector in each of `columns` Spark held sparse equal those the scorer marks
// sparse, in every release's fixture of the case.
static void check_sparse_columns(const std::string& name, const std::vector<std::string>& columns) {
  for (const auto& dir : case_dirs(name)) {
    INFO(dir << "/" << name);
    const auto result = score_case(dir, name);
    const json meta = case_meta(dir, name);
    for (const auto& c : columns) {
      const ScoredColumn* col = result.find(c);
      REQUIRE(col != nullptr);
      check_sparse_rows(result, meta, *col);
    }
  }
}

// A WHERE and VectorAssembler's handleInvalid=skip drop rows ahead of sparse vectors (the
// assembled `v`, StandardScaler's `sv`): each row left keeps its own sparsity, whole-table and
// through the streaming job, whose batches a sink sees as `dbk score` writes them.
TEST_CASE("rows dropped ahead of sparse vectors keep each row's sparsity", "[spark][stages]") {
  check_bit_exact("sparse_after_skip");
  check_sparse_columns("sparse_after_skip", {"v", "sv"});
  struct SparseRows : dbk::scorer::ScoredBatchSink {
    std::map<std::string, std::set<std::int64_t>> rows;
    std::size_t scored = 0;
    // Runs on the job's writer thread: a missing column is the job's error, not an assertion.
    dbk::Status consume(const dbk::scorer::ScoreResult& batch) override {
      const auto* ids = batch.passthrough.find("row_id");
      if (ids == nullptr)
        return dbk::make_error(dbk::scorer::error_codes::kColumnNotFound, "row_id");
      for (const char* name : {"v", "sv"}) {
        const ScoredColumn* col = batch.find(name);
        if (col == nullptr) return dbk::make_error(dbk::scorer::error_codes::kColumnNotFound, name);
        for (std::size_t r = 0; r < batch.num_rows(); ++r) {
          if (col->is_sparse(r)) rows[name].insert(ids->ints[r]);
        }
      }
      scored += batch.num_rows();
      return {};
    }
  };
  for (const auto& dir : case_dirs("sparse_after_skip")) {
    INFO(dir);
    const json meta = case_meta(dir, "sparse_after_skip");
    dbk::scorer::ScoreJob job;
    job.model = dir + "/sparse_after_skip/model";
    job.input = dir + "/sparse_after_skip/input";
    SparseRows sink;
    job.sink = &sink;
    auto report = dbk::scorer::run_score_job(job, nullptr);
    if (!report.ok()) FAIL(report.error().to_string());
    CHECK(sink.scored == meta["rows"].get<std::size_t>());
    CHECK(report->rows_input > sink.scored);  // rows were dropped
    for (const char* name : {"v", "sv"}) {
      INFO("column " << name);
      std::set<std::int64_t> want;
      for (const auto& id : meta["sparse_rows"][name]) want.insert(id.get<std::int64_t>());
      CHECK_FALSE(want.empty());
      CHECK(sink.rows[name] == want);
    }
  }
}

// Tokenizer over non-ASCII text (Java's toLowerCase: final sigma, dotted capital I; tabs,
// newlines, blank and empty strings), StopWordsRemover (English defaults, its own words,
// case-sensitive, the 3.x multi-column form, null elements kept), NGram (a null element is
// "null"), HashingTF (Murmur3 of UTF-8 terms, binary, a null term at the seed's index), then
// IDF, VectorAssembler and LogisticRegression over them.
TEST_CASE("Tokenizer, StopWordsRemover, NGram and HashingTF score like Spark",
          "[spark][stages][text]") {
  check_bit_exact("text_hashing");
  check_sparse_columns("text_hashing", {"tf", "tf_bin", "tags_tf", "tfidf", "features"});
}

// RegexTokenizer with gaps and with find-all, \W, \p{L}, `.`, minTokenLength counted in UTF-16
// units (an emoji is two), no lowercasing; CountVectorizerModel with minTF as a count and as a
// fraction of the row's tokens, binary; NaiveBayes over the counts.
TEST_CASE("RegexTokenizer and CountVectorizerModel score like Spark", "[spark][stages][text]") {
  check_bit_exact("text_count_vectorizer");
  check_sparse_columns("text_count_vectorizer", {"counts", "counts_frac", "tag_counts"});
}

// The average of the known words' vectors over the sentence's length; an empty sentence is a
// sparse zero vector.
TEST_CASE("Word2VecModel scores like Spark", "[spark][stages][text]") {
  check_bit_exact("text_word2vec");
  check_sparse_columns("text_word2vec", {"w2v"});
}

// A RegexTokenizer pattern with a construct whose Java meaning the scorer does not reproduce
// (inline flags: Java's (?i) folds ASCII only) is refused naming the stage and the construct.
TEST_CASE("a RegexTokenizer pattern the scorer cannot reproduce is refused",
          "[spark][stages][text]") {
  const auto dirs = case_dirs("text_regex_refused");
  REQUIRE(dirs.size() >= 2);
  for (const auto& dir : dirs) {
    INFO(dir);
    auto model = dbk::scorer::load_pipeline_model(dir + "/text_regex_refused/model");
    REQUIRE_FALSE(model.ok());
    CHECK(model.error().error_code == "UNSUPPORTED_STAGE");
    CHECK(model.error().message.find("org.apache.spark.ml.feature.RegexTokenizer (") !=
          std::string::npos);
    CHECK(model.error().message.find("(?i") != std::string::npos);
  }
}

// Java's \s \d \w are ASCII-only and its `.` stops at fewer line terminators than ICU's, so
// they are spelled out; constructs ICU reads differently are refused.
TEST_CASE("Java regular expressions are rewritten for ICU or refused", "[stages][text]") {
  using dbk::scorer::detail::java_regex_to_icu;
  std::string out, construct;
  const std::pair<const char*, const char*> kept[] = {
      {"\\s+", "[\\x{20}\\t\\n\\x{0B}\\f\\r]+"},
      {"\\W+", "[^a-zA-Z_0-9]+"},
      {"[\\w-]+", "[a-zA-Z_0-9\\x{2D}]+"},
      {"[a-c,]", "[a-c\\x{2C}]"},
      {"a.b", "a[^\\n\\r\\x{85}\\x{2028}\\x{2029}]b"},
      {"\\p{L}+|\\pN", "\\p{L}+|\\p{N}"},
      {"(?:x|y)(?=z)\\1", "(?:x|y)(?=z)\\1"},
      {"\\Q.$\\E", "\\x{2E}\\x{24}"},
  };
  for (const auto& [java, icu] : kept) {
    INFO(java);
    REQUIRE(java_regex_to_icu(java, out, construct));
    CHECK(out == icu);
  }
  for (const char* java : {"(?i)the", "end$", "\\bword", "[a-z&&[^e]]", "\\p{Alpha}", "[^\\S]",
                           "\\R", "(?<name>x)", "[abc"}) {
    INFO(java);
    CHECK_FALSE(java_regex_to_icu(java, out, construct));
    CHECK_FALSE(construct.empty());
  }
}

// Spark 3.x's HashingTF indexes of "a".."d" among 100 features (its own test suite's values).
TEST_CASE("HashingTF hashes terms as Spark 3 does", "[stages][text]") {
  using namespace dbk::scorer::detail;
  const std::pair<const char*, std::size_t> want[] = {{"a", 67}, {"b", 65}, {"c", 68}, {"d", 90}};
  for (const auto& [term, index] : want) {
    CHECK(non_negative_mod(spark_murmur3(term, kSparkHashSeed), 100) == index);
  }
}

// Lists of strings in every output format: JSON arrays in JSON lines (and CSV cells) as Spark's
// to_json writes them, LIST<STRING> in Parquet, read back equal to Spark's transform.
TEST_CASE("lists of strings are written as JSON arrays and Parquet lists", "[stages][text]") {
  const std::string dir = case_dirs("text_hashing").front();
  const auto result = score_case(dir, "text_hashing");
  const auto expected = read_jsonl(dir + "/text_hashing/expected.jsonl");
  const auto out = temp_dir("text_lists");
  REQUIRE(dbk::scorer::write_results(result, (out / "x.jsonl").string()).ok());
  REQUIRE(dbk::scorer::write_results(result, (out / "x.csv").string()).ok());
  REQUIRE(dbk::scorer::write_results(result, (out / "x.parquet").string()).ok());
  const auto rows = read_jsonl((out / "x.jsonl").string());
  auto table = dbk::scorer::read_table((out / "x.parquet").string());
  REQUIRE(table.ok());
  const auto* words = table->find("tag_trigrams");
  REQUIRE(words != nullptr);
  REQUIRE(rows.size() == expected.size());
  std::map<std::int64_t, json> want;
  for (const auto& e : expected) want[e["row_id"].get<std::int64_t>()] = e;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const json& spark = want.at(rows[r]["row_id"].get<std::int64_t>());
    for (const char* c : {"words", "filtered", "tags_kept", "bigrams", "tag_trigrams"}) {
      CHECK(rows[r][c] == spark[c]);
    }
    json back = json::array();
    for (const auto& e : words->nested[r].items) {
      back.push_back(e.is_null() ? json(nullptr) : json(e.s));
    }
    CHECK(back == spark["tag_trigrams"]);
  }
  const std::string csv = read_file((out / "x.csv").string());
  CHECK(csv.find(",\"[\"\"null the null\"\",") != std::string::npos);
  std::filesystem::remove_all(out);
}
