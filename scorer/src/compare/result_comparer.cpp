// ResultComparer: the join of scored rows with Spark's results, fed in batches, in bounded
// memory (docs/scorer.md "Comparing at scale"), and compare_results on top of it.
#include <algorithm>
#include <deque>
#include <filesystem>
#include <memory>
#include <numeric>
#include <optional>

#include "cell_text.hpp"
#include "compare/compare_row.hpp"
#include "compare/expected_feed.hpp"
#include "compare/spill_files.hpp"
#include "dbk/api_error.hpp"
#include "dbk/scorer/compare.hpp"
#include "dbk/scorer/dataset.hpp"
#include "ml/stage.hpp"
#include "private_folder.hpp"

namespace dbk::scorer {
namespace {

using detail::CompareRow;
using detail::Side;

constexpr std::size_t kPartitions = 64;  // files a spill starts with
constexpr std::size_t kResplit = 16;     // files an oversized partition is split into
constexpr int kMaxResplits = 3;          // a single hot key cannot be split: stop then
constexpr std::size_t kFeedRows = 8192;  // compare_results' batch size

const ScoredColumn* scored_prediction(const ScoreResult& t, const CompareOptions& o) {
  const ScoredColumn* c = t.find(o.prediction_column);
  return c != nullptr && c->kind == ScoredColumn::Kind::kDouble ? c : nullptr;
}

const Column* expected_prediction(const Table& t, const CompareOptions& o) {
  const Column* c = t.find(o.prediction_column);
  return c != nullptr && c->type != ColumnType::kNested ? c : nullptr;
}

ApiError no_prediction(const char* side, const CompareOptions& o) {
  return make_error(error_codes::kColumnNotFound,
                    std::string(side) + " has no numeric column '" + o.prediction_column + "'");
}

// A key for messages: the columns' texts separated by ", ", nulls as null.
std::string readable_key(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '\x1f')
      out += ", ";
    else if (c == '\x1e')
      out += "null";
    else
      out += c;
  }
  return out;
}

bool ascending(const std::vector<std::string>& keys) {
  for (std::size_t i = 1; i < keys.size(); ++i) {
    if (detail::compare_keys(keys[i - 1], keys[i]) > 0) return false;
  }
  return true;
}

}  // namespace

struct ResultComparer::Impl {
  struct SideState {
    bool started = false;
    bool has_probability = false;
    std::uint64_t seq = 0;
    std::optional<std::string> last_key;  // ordered mode: the greatest key so far
  };

  CompareOptions options;
  CompareReport report;
  detail::Tally tally{options, report};
  CompareStats stats;
  std::optional<ApiError> error;
  bool finished = false;
  SideState sides[2];

  // Ordered mode: the rows not yet paired, and the greatest key already reported on.
  bool ordered = false;
  std::deque<CompareRow> pending[2];
  std::optional<std::string> reported_up_to;
  std::size_t held_bytes = 0;

  // Hashed mode: rows held until the budget, then spilled.
  std::vector<CompareRow> held;
  detail::PrivateFolder folder;
  std::unique_ptr<detail::PartitionFiles> partitions;

  explicit Impl(CompareOptions o) : options(std::move(o)) {
    ordered = options.keys_ascending || options.key_columns.empty();
    stats.merged_in_order = ordered;
  }

  Status fail(ApiError e) {
    partitions.reset();
    folder.remove();
    held.clear();
    pending[0].clear();
    pending[1].clear();
    error = e;
    return e;
  }

  Status check_usable() const {
    if (error) return *error;
    if (finished) {
      return make_error(dbk::error_codes::kInvalidArgument, "the comparison has already finished");
    }
    return {};
  }

  Status start_side(Side side, bool has_probability, const char* name) {
    auto& s = sides[static_cast<int>(side)];
    if (!s.started) {
      s.started = true;
      s.has_probability = has_probability;
      tally.set_compare_probability(sides[0].has_probability && sides[1].has_probability);
    } else if (s.has_probability != has_probability) {
      return fail(make_error(error_codes::kInvalidData,
                             std::string("a batch of the ") + name + " " +
                                 (has_probability ? "has" : "lacks") + " the column '" +
                                 options.probability_column + "' the first batch " +
                                 (has_probability ? "lacked" : "had")));
    }
    return {};
  }

  void note_held() { stats.peak_buffered_bytes = std::max(stats.peak_buffered_bytes, held_bytes); }

  Status add_row(CompareRow&& row) {
    auto& side = sides[static_cast<int>(row.side)];
    if (reported_up_to && detail::compare_keys(row.key, *reported_up_to) <= 0) {
      return fail(make_error(
          dbk::error_codes::kInvalidArgument,
          std::string(row.side == Side::kScored ? "scored" : "expected") + " key (" +
              readable_key(row.key) + ") arrived after the comparison passed key (" +
              readable_key(*reported_up_to) + "): the rows are not in ascending key order"));
    }
    if (ordered && side.last_key && detail::compare_keys(row.key, *side.last_key) < 0) {
      switch_to_hashed();
    }
    if (ordered) {
      side.last_key = row.key;
      held_bytes += detail::row_footprint(row);
      note_held();
      pending[static_cast<int>(row.side)].push_back(std::move(row));
      drain(false);
      // One side far ahead of the other: hold no more, spill from here on.
      if (held_bytes > options.memory_budget_bytes) {
        switch_to_hashed();
        return start_spill();
      }
      return {};
    }
    if (partitions) {
      if (auto st = partitions->add(row); !st) return fail(st.error());
      return {};
    }
    held_bytes += detail::row_footprint(row);
    note_held();
    held.push_back(std::move(row));
    return held_bytes > options.memory_budget_bytes ? start_spill() : Status{};
  }

  void switch_to_hashed() {
    ordered = false;
    stats.merged_in_order = false;
    for (auto& p : pending) {
      for (auto& r : p) held.push_back(std::move(r));
      p.clear();
    }
  }

  // Ordered mode: reports every key both sides have passed (all of it when `final`).
  void drain(bool final) {
    std::vector<const CompareRow*> group[2];
    while (!pending[0].empty() || !pending[1].empty()) {
      const std::string* key = nullptr;
      for (auto& p : pending) {
        if (!p.empty() && (key == nullptr || detail::compare_keys(p.front().key, *key) < 0)) {
          key = &p.front().key;
        }
      }
      // A side may still bring rows of `key` unless it has gone past it.
      for (auto& s : sides) {
        if (!final && !(s.last_key && detail::compare_keys(*s.last_key, *key) > 0)) return;
      }
      std::string k = *key;
      std::size_t n[2] = {0, 0};
      for (int s = 0; s < 2; ++s) {
        group[s].clear();
        while (n[s] < pending[s].size() && pending[s][n[s]].key == k) {
          group[s].push_back(&pending[s][n[s]]);
          ++n[s];
        }
      }
      tally.key_group(group[static_cast<int>(Side::kExpected)],
                      group[static_cast<int>(Side::kScored)]);
      for (int s = 0; s < 2; ++s) {
        for (std::size_t i = 0; i < n[s]; ++i) {
          held_bytes -= detail::row_footprint(pending[s].front());
          pending[s].pop_front();
        }
      }
      reported_up_to = std::move(k);
    }
  }

  std::size_t buffer_bytes() const {
    return std::clamp<std::size_t>(options.memory_budget_bytes / (4 * kPartitions), 4096,
                                   std::size_t{1} << 20);
  }

  Status start_spill() {
    if (auto st = folder.create(options.spill_dir, "dbk-compare", "spill"); !st)
      return fail(st.error());
    stats.spill_dir = folder.path();
    partitions = std::make_unique<detail::PartitionFiles>();
    if (auto st = partitions->open(folder.path(), "p", kPartitions, 0, buffer_bytes()); !st) {
      return fail(st.error());
    }
    stats.spill_partitions += kPartitions;
    for (const auto& r : held) {
      if (auto st = partitions->add(r); !st) return fail(st.error());
    }
    std::vector<CompareRow>().swap(held);
    held_bytes = 0;
    return {};
  }

  // Every row of a set of keys: reported key by key, each side's rows in stream order.
  void report_rows(std::vector<CompareRow>& rows) {
    std::vector<std::size_t> order(rows.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      const auto& x = rows[a];
      const auto& y = rows[b];
      if (int c = x.key.compare(y.key); c != 0) return c < 0;
      if (x.side != y.side) return x.side < y.side;
      return x.seq < y.seq;
    });
    std::vector<const CompareRow*> group[2];
    for (std::size_t i = 0; i < order.size();) {
      group[0].clear();
      group[1].clear();
      std::size_t j = i;
      for (; j < order.size() && rows[order[j]].key == rows[order[i]].key; ++j) {
        const auto& r = rows[order[j]];
        group[static_cast<int>(r.side)].push_back(&r);
      }
      tally.key_group(group[static_cast<int>(Side::kExpected)],
                      group[static_cast<int>(Side::kScored)]);
      i = j;
    }
  }

  Status report_file(const std::string& path, int depth) {
    const std::size_t size = detail::file_size_or_zero(path);
    std::error_code ec;
    if (size > options.memory_budget_bytes / 2 && depth < kMaxResplits) {
      detail::PartitionFiles split;
      auto name = path.substr(folder.path().size() + 1) + "-";
      if (auto st = split.open(folder.path(), name, kResplit, depth + 1, buffer_bytes()); !st) {
        return st;
      }
      stats.spill_partitions += kResplit;
      auto st = detail::read_spill_file(path, [&](CompareRow& r) { return split.add(r); });
      if (st) st = split.close();
      if (!st) return st;
      stats.spilled_bytes += split.bytes_written();
      std::filesystem::remove(path, ec);
      for (const auto& p : split.paths()) {
        if (auto sub = report_file(p, depth + 1); !sub) return sub;
      }
      return {};
    }
    std::vector<CompareRow> rows;
    std::size_t bytes = 0;
    auto st = detail::read_spill_file(path, [&](CompareRow& r) {
      bytes += detail::row_footprint(r);
      rows.push_back(std::move(r));
      return Status{};
    });
    if (!st) return st;
    stats.peak_buffered_bytes = std::max(stats.peak_buffered_bytes, bytes);
    std::filesystem::remove(path, ec);
    report_rows(rows);
    return {};
  }

  Result<CompareReport> finish() {
    if (auto st = check_usable(); !st) return st.error();
    finished = true;
    // A side that sent nothing is an empty table without columns, as compare_results sees it.
    if (!sides[static_cast<int>(Side::kScored)].started)
      return fail(no_prediction("scored result", options)).error();
    if (!sides[static_cast<int>(Side::kExpected)].started)
      return fail(no_prediction("expected table", options)).error();
    if (ordered) {
      drain(true);
    } else if (!partitions) {
      report_rows(held);
      std::vector<CompareRow>().swap(held);
    } else {
      auto st = partitions->close();
      stats.spilled_bytes += partitions->bytes_written();
      const auto paths = partitions->paths();
      partitions.reset();
      for (std::size_t i = 0; st && i < paths.size(); ++i) st = report_file(paths[i], 0);
      if (!st) return fail(st.error()).error();
      folder.remove();
    }
    tally.finish();
    return std::move(report);
  }
};

ResultComparer::ResultComparer(CompareOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

ResultComparer::~ResultComparer() = default;

const CompareStats& ResultComparer::stats() const {
  return impl_->stats;
}

Status ResultComparer::add_scored(const ScoreResult& batch, std::size_t first_input_row,
                                  std::size_t begin, std::size_t end) {
  auto& m = *impl_;
  if (auto st = m.check_usable(); !st) return st;
  const auto& o = m.options;
  end = std::min(end, batch.num_rows());
  if (begin > end) return make_error(dbk::error_codes::kInvalidArgument, "row range is reversed");
  const ScoredColumn* pred = scored_prediction(batch, o);
  if (pred == nullptr) return m.fail(no_prediction("scored result", o));
  std::vector<std::string> keys;
  if (!o.key_columns.empty()) {
    auto k = detail::row_keys(batch.passthrough, o.key_columns, "scored result", begin, end);
    if (!k) return m.fail(std::move(k).error());
    keys = std::move(*k);
  }
  const ScoredColumn* prob = batch.find(o.probability_column);
  if (prob != nullptr && prob->kind != ScoredColumn::Kind::kVector) prob = nullptr;
  if (auto st = m.start_side(Side::kScored, prob != nullptr, "scored result"); !st) return st;
  auto& side = m.sides[static_cast<int>(Side::kScored)];
  for (std::size_t r = begin; r < end; ++r) {
    CompareRow row;
    row.side = Side::kScored;
    row.seq = side.seq++;
    row.key = keys.empty() ? std::to_string(row.seq) : std::move(keys[r - begin]);
    row.row = first_input_row + batch.source_rows[r];
    row.prediction_null = !pred->valid[r];
    row.prediction = pred->numbers[r];
    if (prob != nullptr && prob->valid[r]) {
      row.probability_state = CompareRow::Vector::kValues;
      row.probability.assign(prob->vector(r), prob->vector(r) + prob->width);
    }
    ++m.report.rows_scored;
    if (auto st = m.add_row(std::move(row)); !st) return st;
  }
  return {};
}

Status ResultComparer::add_expected(const Table& batch, std::size_t begin, std::size_t end) {
  auto& m = *impl_;
  if (auto st = m.check_usable(); !st) return st;
  const auto& o = m.options;
  end = std::min(end, batch.num_rows);
  if (begin > end) return make_error(dbk::error_codes::kInvalidArgument, "row range is reversed");
  const Column* pred = expected_prediction(batch, o);
  if (pred == nullptr) return m.fail(no_prediction("expected table", o));
  std::vector<std::string> keys;
  if (!o.key_columns.empty()) {
    auto k = detail::row_keys(batch, o.key_columns, "expected table", begin, end);
    if (!k) return m.fail(std::move(k).error());
    keys = std::move(*k);
  }
  const Column* prob = batch.find(o.probability_column);
  if (prob != nullptr && prob->type != ColumnType::kNested) prob = nullptr;
  if (auto st = m.start_side(Side::kExpected, prob != nullptr, "expected table"); !st) return st;
  ++m.stats.expected_batches;
  m.stats.largest_expected_batch_rows =
      std::max(m.stats.largest_expected_batch_rows, batch.num_rows);
  auto& side = m.sides[static_cast<int>(Side::kExpected)];
  for (std::size_t r = begin; r < end; ++r) {
    CompareRow row;
    row.side = Side::kExpected;
    row.seq = side.seq++;
    row.key = keys.empty() ? std::to_string(row.seq) : std::move(keys[r - begin]);
    row.prediction_null = pred->is_null(r);
    row.prediction = row.prediction_null ? 0.0 : pred->number(r);
    if (prob != nullptr && !prob->is_null(r)) {
      row.probability_state = detail::vector_from_value(prob->nested[r], row.probability)
                                  ? CompareRow::Vector::kValues
                                  : CompareRow::Vector::kUnreadable;
    }
    ++m.report.rows_expected;
    if (auto st = m.add_row(std::move(row)); !st) return st;
  }
  return {};
}

Result<CompareReport> ResultComparer::finish() {
  return impl_->finish();
}

Result<CompareReport> compare_results(const ScoreResult& scored, const Table& expected,
                                      const CompareOptions& options) {
  // The column errors in the order they have always come: predictions, then keys.
  if (scored_prediction(scored, options) == nullptr) return no_prediction("scored result", options);
  if (expected_prediction(expected, options) == nullptr) {
    return no_prediction("expected table", options);
  }
  CompareOptions o = options;
  if (!o.key_columns.empty() && !o.keys_ascending) {
    auto skeys =
        detail::row_keys(scored.passthrough, o.key_columns, "scored result", 0, scored.num_rows());
    if (!skeys) return std::move(skeys).error();
    auto ekeys = detail::row_keys(expected, o.key_columns, "expected table", 0, expected.num_rows);
    if (!ekeys) return std::move(ekeys).error();
    o.keys_ascending = ascending(*skeys) && ascending(*ekeys);
  }
  ResultComparer comparer(o);
  std::size_t s = 0;
  std::size_t e = 0;
  do {
    if (auto st = comparer.add_scored(scored, 0, s, s + kFeedRows); !st) return st.error();
    if (auto st = comparer.add_expected(expected, e, e + kFeedRows); !st) return st.error();
    s = std::min(s + kFeedRows, scored.num_rows());
    e = std::min(e + kFeedRows, expected.num_rows);
  } while (s < scored.num_rows() || e < expected.num_rows);
  return comparer.finish();
}

Status add_expected_table(ResultComparer& comparer, const std::string& path,
                          const CompareOptions& options, bool with_raw_prediction) {
  auto files = list_table_files(path);
  if (!files) return std::move(files).error();
  if (files->empty()) {
    return make_error(dbk::error_codes::kNotFound, path + ": no data files in the folder");
  }
  detail::ExpectedFeed feed(std::move(*files),
                            detail::compared_columns(options, with_raw_prediction));
  return feed.feed({&comparer}, std::numeric_limits<std::size_t>::max());
}

}  // namespace dbk::scorer
